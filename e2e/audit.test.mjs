// @ts-check
/**
 * Browser tests of the audit trail, the record history and the soft delete: a patient's record
 * page (History, Access log), the admin's Activity and Deleted patients pages, against our back
 * end on a fresh database (support/servers.mjs). Every new page is checked with axe-core at 1280
 * and 390 pixels and photographed into test-results/e2e.
 *
 * Each test makes its own patients (random IDs under a tag of its own, see support/data.mjs), so
 * any test passes alone, in any order, and whatever else the server holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoAxeViolations } from './support/a11y.mjs';
import {
  createPatients,
  deletePatient,
  fillRegisterForm,
  newTag,
  patientsWithId,
  randomPatient,
} from './support/data.mjs';
import { screenshot } from './support/pages.mjs';
import { goTo, region, staffOnFreshServer } from './support/staff.mjs';

/** @typedef {import('./support/data.mjs').WirePatient} WirePatient */
/** @typedef {import('playwright-core').Page} Page */

describe('audit trail, history and deleted patients in the browser', { timeout: 180_000 }, () => {
  const staff = staffOnFreshServer();
  const { admin, clinician, pageAs } = staff;

  /**
   * Finds the patient by patient ID in the registry and opens their record page.
   * @param {Page} page
   * @param {WirePatient} patient
   */
  async function openRecord(page, patient) {
    await page.goto(`${staff.server.baseUrl}/`);
    const find = region(page, 'Find a patient');
    await find.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
    await find.getByRole('button', { name: 'Find', exact: true }).click();
    await find.getByRole('link', { name: `Open ${patient.name} (${patient.patientID})`, exact: true }).click();
    const record = region(page, 'Patient record');
    await record.getByRole('cell', { name: patient.patientID, exact: true }).waitFor();
    return record;
  }

  /**
   * The table rows in `scope` that have a cell reading exactly each of `cells`.
   * @param {import('playwright-core').Locator} scope
   * @param {string[]} cells
   */
  function rowsWith(scope, cells) {
    let rows = scope.locator('tbody tr');
    for (const name of cells) rows = rows.filter({ has: scope.page().getByRole('cell', { name, exact: true }) });
    return rows;
  }

  it("shows an admin a patient's versions after an edit, and who read the record", async () => {
    const [patient] = await createPatients(staff.server.baseUrl, staff.token, [randomPatient(`${newTag()}-HIST`)]);
    assert.ok(patient);
    const page = await pageAs(admin);
    const record = await openRecord(page, patient);
    assert.equal(new URL(page.url()).hash, `#patient/${patient.id}`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'patient-record-title', 'focus on the title');
    await record.getByText(`Record number ${patient.id}`, { exact: true }).waitFor();

    const renamed = `${patient.name} Jr`;
    await record.getByRole('button', { name: /^Edit / }).click();
    await record.getByLabel('Name', { exact: true }).fill(renamed);
    await record.getByRole('button', { name: 'Save changes' }).click();
    await record.getByText(`Saved changes to ${renamed} (${patient.patientID}).`).waitFor();

    // Newest first: the admin's rename, then the clinician's create with every field.
    const versions = region(page, 'History').locator('tbody tr');
    await versions.first().getByText(`Name: ${patient.name} → ${renamed}`, { exact: true }).waitFor();
    assert.equal(await versions.count(), 2);
    const cells = async (/** @type {number} */ n) => (await versions.nth(n).getByRole('cell').allTextContents()).slice(0, 4);
    assert.deepEqual((await cells(0)).filter((_, i) => i !== 1), ['2', admin.username, 'Updated']);
    assert.deepEqual((await cells(1)).filter((_, i) => i !== 1), ['1', clinician.username, 'Created']);
    await versions.nth(1).getByText(`Patient ID: ${patient.patientID}`, { exact: true }).waitFor();

    // The log reloads after the edit, so it holds the admin's read of the record by now.
    const log = region(page, 'Access log');
    await rowsWith(log, [admin.username, 'Admin', 'Read']).first().waitFor();
    await rowsWith(log, [admin.username, 'Updated', 'Succeeded (200)']).first().waitFor();
    await assertNoAxeViolations(page, "a patient's record page with its history and access log");
    await screenshot(page, 'patient-record.png');

    await record.getByRole('link', { name: 'Back to the patient list' }).click();
    await region(page, 'Patients').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'patients-title', 'focus on the list');
  });

  it('lists the activity, filters it by action, and downloads what the filters select as CSV', async () => {
    const page = await pageAs(admin);
    await page.goto(`${staff.server.baseUrl}/`);
    await region(page, 'Patients').waitFor();
    await goTo(page, 'Activity');
    const activity = region(page, 'Activity');
    const events = activity.getByRole('table', { name: 'Audit events' });
    await events.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'activity-title', 'focus on the title');
    await activity.getByText(/^\d+ events?$/).waitFor();
    await assertNoAxeViolations(page, 'the Activity page');

    const filtered = page.waitForResponse((r) => r.url().includes('/audit?') && r.url().includes('action=login'));
    await activity.getByLabel('Action', { exact: true }).selectOption('login');
    await activity.getByRole('button', { name: 'Show events', exact: true }).click();
    assert.equal((await filtered).status(), 200);
    await activity.locator('table.audit-table[aria-busy]').waitFor({ state: 'detached' });
    const actions = await events.locator('tbody td[data-label="Action"]').allTextContents();
    assert.ok(actions.length > 0 && actions.every((text) => text === 'Signed in'), `only sign-ins: ${actions}`);
    await rowsWith(events, [admin.username, 'Admin', 'Signed in']).first().waitFor();
    await assertNoAxeViolations(page, 'the Activity page filtered by action');
    await screenshot(page, 'activity.png');

    const href = await activity.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.equal(href, '/audit/export?action=login');
    const csv = await page.context().request.get(`${staff.server.baseUrl}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
    assert.match(csv.headers()['content-disposition'] ?? '', /attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await csv.text()).trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, 'a header and the events');
    assert.ok(lines.slice(1).some((line) => line.includes(admin.username)), 'the admin’s sign-in is in the file');
  });

  it('restores a patient a clinician deleted, under the same id, and purges another with a reason', async () => {
    const tag = newTag();
    const [kept, purged] = await createPatients(staff.server.baseUrl, staff.token, [
      randomPatient(`${tag}-BACK`),
      randomPatient(`${tag}-GONE`),
    ]);
    assert.ok(kept && purged);

    // The clinician deletes one from its record page, giving a reason; the other from Node.
    const desk = await pageAs(clinician);
    const record = await openRecord(desk, kept);
    await record.getByRole('button', { name: /^Delete / }).click();
    await record.getByLabel('Reason (optional)', { exact: true }).fill(`Registered twice ${tag}`);
    await assertNoAxeViolations(desk, 'the delete confirmation with its reason');
    await record.getByRole('button', { name: 'Yes, delete' }).click();
    await record.getByText(`Deleted ${kept.name} (${kept.patientID}).`).waitFor();
    await record.getByText(/^This record is deleted\./).waitFor();
    assert.equal(await region(desk, 'History').getByRole('alert').count(), 0, 'the versions shown stay');
    await deletePatient(staff.server.baseUrl, staff.token, purged.id, 'Entered by mistake');
    assert.deepEqual(await patientsWithId(staff.server.baseUrl, staff.token, kept.patientID), [], 'gone from every list');

    // Its patient ID stays taken: registering it again says where the patient is.
    const page = await pageAs(admin);
    await page.goto(`${staff.server.baseUrl}/`);
    const form = region(page, 'Register a patient');
    await fillRegisterForm(form, randomPatient(kept.patientID));
    await form.getByRole('button', { name: 'Register patient' }).click();
    await form.locator('#register-patientID-error').filter({ hasText: 'belongs to a deleted record' }).waitFor();

    await goTo(page, 'Deleted patients');
    const deleted = region(page, 'Deleted patients');
    const keptRow = rowsWith(deleted, [kept.patientID]);
    await keptRow.waitFor();
    const shown = await keptRow.getByRole('cell').allTextContents();
    assert.deepEqual(
      [shown[0], shown[1], shown[3], shown[4]],
      [kept.patientID, kept.name, clinician.username, `Registered twice ${tag}`],
    );
    await assertNoAxeViolations(page, 'the Deleted patients page');
    await screenshot(page, 'deleted-patients.png');

    // Purging asks for a reason first, in the row.
    const purgedRow = rowsWith(deleted, [purged.patientID]);
    await purgedRow.getByRole('button', { name: `Purge ${purged.name} (${purged.patientID})` }).click();
    await purgedRow.getByRole('button', { name: 'Purge for good' }).click();
    await purgedRow.getByText('Enter the reason.', { exact: true }).waitFor();
    await assertNoAxeViolations(page, 'the purge step asking for a reason');
    await purgedRow.getByLabel(`Reason for purging ${purged.name} (${purged.patientID})`).fill('Test record');
    await purgedRow.getByRole('button', { name: 'Purge for good' }).click();
    await deleted.getByText(`Purged ${purged.name} (${purged.patientID}) for good.`).waitFor();
    await purgedRow.waitFor({ state: 'detached' });

    await keptRow.getByRole('button', { name: `Restore ${kept.name} (${kept.patientID})` }).click();
    await deleted.getByText(`Restored ${kept.name} (${kept.patientID}). It is back in the patient list.`).waitFor();
    const [back] = await patientsWithId(staff.server.baseUrl, staff.token, kept.patientID);
    assert.equal(back?.id, kept.id, 'back under the same id');

    // Back in the registry's lists, with its history: created, deleted, restored.
    const again = await openRecord(page, kept);
    await again.getByText(`Record number ${kept.id}`, { exact: true }).waitFor();
    const actions = region(page, 'History').locator('tbody td[data-label="Action"]');
    await actions.first().filter({ hasText: 'Restored' }).waitFor();
    assert.deepEqual(await actions.allTextContents(), ['Restored', 'Deleted', 'Created']);
  });
});
