// @ts-check
/**
 * Browser test of security review finding 5 ("lost updates from the web page"): two clinicians
 * edit the same patient in two pages, one from the record page and one from a list. The
 * second save names the version its form started from (If-Match), so the server refuses it
 * (412) and the page shows both versions instead of overwriting the first change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoAxeViolations } from './support/a11y.mjs';
import { apiToken, createPatients, newPassword, newTag, newUsername, patientsWithId, randomPatient } from './support/data.mjs';
import { pagesPerTest, screenshot } from './support/pages.mjs';
import { startServer } from './support/servers.mjs';

/** @typedef {import('./support/data.mjs').WirePatient} WirePatient */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Locator} Locator */

describe('two staff editing one patient in the browser', { timeout: 180_000 }, () => {
  const pages = pagesPerTest();
  /** @type {import('./support/servers.mjs').RunningServer} */
  let server;
  /** Both made with the back end's CLI, so neither has to change a temporary password. */
  const ana = { username: newUsername('clinician'), password: newPassword() };
  const ben = { username: newUsername('clinician'), password: newPassword() };
  let token = '';

  const pageAs = (/** @type {{ username: string, password: string }} */ account) =>
    pages.open({ baseUrl: server.baseUrl, account });

  const region = (/** @type {Page} */ page, /** @type {string} */ name) => page.getByRole('region', { name, exact: true });

  /**
   * Opens the edit form on the patient's record page; resolves once it holds the record.
   * @param {Page} page
   * @param {WirePatient} patient
   */
  async function editOnRecordPage(page, patient) {
    await page.goto(`${server.baseUrl}/#patient/${patient.id}`);
    const record = region(page, 'Patient record');
    await record.getByRole('button', { name: `Edit ${patient.name} (${patient.patientID})`, exact: true }).click();
    await record.getByLabel('Name', { exact: true }).waitFor();
    return record;
  }

  /**
   * Finds the patient by patient ID and opens the edit form in the result.
   * @param {Page} page
   * @param {WirePatient} patient
   */
  async function editFromFind(page, patient) {
    await page.goto(`${server.baseUrl}/`);
    const find = region(page, 'Find a patient');
    await find.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
    await find.getByRole('button', { name: 'Find', exact: true }).click();
    await find.getByRole('button', { name: `Edit ${patient.name} (${patient.patientID})`, exact: true }).click();
    await find.getByLabel('Name', { exact: true }).waitFor();
    return find;
  }

  /** @param {Locator} scope */
  const save = (scope) => scope.getByRole('button', { name: 'Save changes', exact: true }).click();

  before(async () => {
    server = await startServer();
    await server.createUser(ana.username, 'clinician', ana.password);
    await server.createUser(ben.username, 'clinician', ben.password);
    token = await apiToken(server.baseUrl, ana.username, ana.password);
  });

  after(async () => {
    await server?.stop();
  });

  it('finding 5: two staff editing one patient — the second sees the conflict instead of overwriting', async () => {
    const [patient] = await createPatients(server.baseUrl, token, [randomPatient(`${newTag()}-BOTH`)]);
    assert.ok(patient);
    const anasName = `${patient.name} Ana`;
    const bensAge = String((patient.age % 150) + 1);

    // Both open the form on the same version.
    const pageA = await pageAs(ana);
    const pageB = await pageAs(ben);
    const formA = await editOnRecordPage(pageA, patient);
    const formB = await editFromFind(pageB, patient);

    await formA.getByLabel('Name', { exact: true }).fill(anasName);
    await save(formA);
    await formA.getByText(`Saved changes to ${anasName} (${patient.patientID}).`, { exact: true }).waitFor();

    // Ben's save names the version his form started from: refused, with both versions shown.
    await formB.getByLabel('Age', { exact: true }).fill(bensAge);
    await save(formB);
    const conflict = formB.getByRole('alert').filter({ hasText: 'This patient was changed by someone else' });
    await conflict.waitFor();
    const rows = conflict.getByRole('table', { name: 'Their version and yours' }).locator('tbody tr');
    const cells = async (/** @type {number} */ n) => rows.nth(n).getByRole('cell').allTextContents();
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await cells(0), ['Name', anasName, patient.name]);
    assert.deepEqual(await cells(1), ['Age', String(patient.age), bensAge]);
    const [meanwhile] = await patientsWithId(server.baseUrl, token, patient.patientID);
    assert.deepEqual([meanwhile?.name, meanwhile?.age], [anasName, patient.age], "Ana's change stands");
    await assertNoAxeViolations(pageB, 'the edit form with a conflict');
    await screenshot(pageB, 'concurrent-edit-conflict.png');

    // Reloading brings Ana's version into the form; Ben makes his change again and saves.
    await conflict.getByRole('button', { name: 'Reload their version', exact: true }).click();
    await conflict.waitFor({ state: 'detached' });
    assert.equal(await formB.getByLabel('Name', { exact: true }).inputValue(), anasName);
    assert.equal(await formB.getByLabel('Age', { exact: true }).inputValue(), String(patient.age));
    await formB.getByLabel('Age', { exact: true }).fill(bensAge);
    await save(formB);
    await formB.getByText(`Saved changes to ${anasName} (${patient.patientID}).`, { exact: true }).waitFor();

    const [stored] = await patientsWithId(server.baseUrl, token, patient.patientID);
    assert.deepEqual([stored?.name, stored?.age], [anasName, Number(bensAge)], 'both changes kept');
  });
});
