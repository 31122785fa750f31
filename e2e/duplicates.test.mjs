// @ts-check
/**
 * Browser tests of possible duplicate patients: the warning before registering someone who may
 * be registered already, and the admin's Possible duplicates page, where a pair found by the
 * server's background check (every half second here: support/servers.mjs) is merged. Against our
 * back end on a fresh database; every new state is checked with axe-core at 1280 and 390 pixels.
 *
 * Each test makes its own patients under a tag of its own (see support/data.mjs), with names no
 * other test here uses, so any test passes alone and in any order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoAxeViolations } from './support/a11y.mjs';
import {
  createPatients,
  fillRegisterForm,
  newTag,
  patientsWithId,
  randomPatient,
} from './support/data.mjs';
import { screenshot } from './support/pages.mjs';
import { goTo, region, staffOnFreshServer } from './support/staff.mjs';

/** @typedef {import('playwright-core').Page} Page */

/** How long the background check may take to list a new pair. */
const PAIR_FOUND_WITHIN_MS = 20_000;

describe('possible duplicates in the browser', { timeout: 180_000 }, () => {
  const staff = staffOnFreshServer();
  const { admin, clinician, pageAs } = staff;

  /** @param {string} patientID */
  const stored = (patientID) => patientsWithId(staff.server.baseUrl, staff.token, patientID);

  /** The status GET /patients/{id} answers. */
  const statusOf = async (/** @type {string | number} */ id) =>
    (await fetch(`${staff.server.baseUrl}/patients/${id}`, { headers: { Authorization: `Bearer ${staff.token}` } })).status;

  it('warns before registering a likely duplicate, opens it, or registers anyway', async () => {
    const tag = newTag();
    const page = await pageAs(clinician);
    await page.goto(`${staff.server.baseUrl}/`);
    const form = region(page, 'Register a patient');
    const status = form.getByRole('status');

    const john = randomPatient(`${tag}-A`, { name: 'John Smith', age: 45, gender: 'Male' });
    await fillRegisterForm(form, john);
    await form.getByRole('button', { name: 'Register patient' }).click();
    await status.filter({ hasText: `Registered John Smith with patient ID ${john.patientID}.` }).waitFor();
    const [first] = await stored(john.patientID);
    assert.ok(first);

    // The same person typed again, a letter short: the check holds the registration.
    const jon = randomPatient(`${tag}-B`, { name: 'Jon Smith', age: 45, gender: 'Male' });
    await fillRegisterForm(form, jon);
    await form.getByRole('button', { name: 'Register patient' }).click();
    const warning = form.getByRole('group', { name: 'Possible duplicate' });
    await warning.waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'Possible duplicate',
      'focus on the warning',
    );
    const match = warning.getByRole('article', { name: `John Smith (${john.patientID})`, exact: true });
    const open = match.getByRole('link', { name: 'Open this patient', exact: true });
    assert.equal(await open.getAttribute('href'), `#patient/${first.id}`);
    await match.getByRole('cell', { name: 'Jon Smith', exact: true }).waitFor(); // what was entered, beside it
    assert.ok(/^(Certain|Probable)$/.test((await match.locator('.likeness dd').first().textContent()) ?? ''));
    await warning.getByRole('button', { name: 'Register anyway', exact: true }).waitFor();
    assert.equal(await form.getByRole('button', { name: 'Register patient' }).count(), 0, 'the form waits, hidden');
    assert.deepEqual(await stored(jon.patientID), [], 'nothing registered yet');
    await assertNoAxeViolations(page, 'the possible-duplicate warning');
    await screenshot(page, 'duplicate-warning.png');

    // "Register anyway" registers the entries, naming the match shown.
    const create = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/patients');
    await warning.getByRole('button', { name: 'Register anyway', exact: true }).click();
    const ids = ((await create).headers()['x-registered-despite'] ?? '').split(',');
    assert.ok(ids.includes(String(first.id)), `X-Registered-Despite names ${first.id}: ${ids}`);
    await status.filter({ hasText: `Registered Jon Smith with patient ID ${jon.patientID}.` }).waitFor();
    assert.equal((await stored(jon.patientID)).length, 1);
    assert.equal(await form.getByLabel('Patient ID', { exact: true }).inputValue(), '', 'the form is reset');

    // Once more: this time the user opens the patient already there.
    await fillRegisterForm(form, randomPatient(`${tag}-C`, { name: 'John Smith', age: 45, gender: 'Male' }));
    await form.getByRole('button', { name: 'Register patient' }).click();
    await warning.getByRole('article', { name: `John Smith (${john.patientID})`, exact: true }).getByRole('link', { name: 'Open this patient' }).click();
    const record = region(page, 'Patient record');
    await record.getByText(`Record number ${first.id}`, { exact: true }).waitFor();
    assert.equal(new URL(page.url()).hash, `#patient/${first.id}`);
  });

  it('lists a pair the background check found, and an admin merges it, taking a value from the removed record', async () => {
    const tag = newTag();
    const [kept, removed] = await createPatients(staff.server.baseUrl, staff.token, [
      randomPatient(`${tag}-K`, { name: 'Margaret Okafor', age: 61, gender: 'Female', medicalCondition: 'Asthma' }),
      randomPatient(`${tag}-R`, { name: 'Margret Okafor', age: 61, gender: 'Female', medicalCondition: 'Hypertension' }),
    ]);
    assert.ok(kept && removed);

    const page = await pageAs(admin);
    await page.goto(`${staff.server.baseUrl}/`);
    await region(page, 'Patients').waitFor();
    await goTo(page, 'Possible duplicates');
    const duplicates = region(page, 'Possible duplicates');
    const pair = duplicates.getByRole('article', {
      name: `${kept.name} (${kept.patientID}) and ${removed.name} (${removed.patientID})`,
      exact: true,
    });
    // Found in the background: reload until it is listed.
    const listed = duplicates.getByText(/^(\d+ possible duplicate pairs?|No possible duplicates\.)$/);
    const deadline = Date.now() + PAIR_FOUND_WITHIN_MS;
    for (;;) {
      await listed.waitFor();
      if ((await pair.count()) > 0) break;
      if (Date.now() > deadline) throw new Error(`the pair ${kept.patientID}/${removed.patientID} was not listed within 20 s`);
      await page.waitForTimeout(500);
      await page.reload();
    }
    await pair.getByText(/^(Certain|Probable)$/).waitFor();
    await assertNoAxeViolations(page, 'the Possible duplicates page');
    await screenshot(page, 'possible-duplicates.png');

    await pair.getByRole('button', { name: 'Merge…', exact: true }).click();
    const keep = pair.getByRole('group', { name: 'Keep which record?' });
    assert.equal(
      await keep.getByRole('radio', { name: `Record #${kept.id}: ${kept.name} (${kept.patientID}), registered first` }).isChecked(),
      true,
      'the older record is kept by default',
    );
    assert.equal(await pair.getByRole('radio', { name: `${kept.name} (record #${kept.id})` }).isChecked(), true);
    await pair.getByRole('radio', { name: `Hypertension (record #${removed.id})`, exact: true }).check();
    await assertNoAxeViolations(page, 'the merge choices');
    await screenshot(page, 'merge.png');

    const merge = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/duplicates/merge'));
    await pair.getByRole('button', { name: 'Merge', exact: true }).click();
    assert.deepEqual((await merge).postDataJSON(), {
      keep: kept.id,
      remove: removed.id,
      values: { medicalCondition: 'Hypertension' },
    });
    await duplicates.getByText(`Merged: patient #${kept.id} kept, #${removed.id} removed.`, { exact: true }).waitFor();
    await pair.waitFor({ state: 'detached' });

    assert.equal(await statusOf(removed.id), 404, 'the removed record is gone');
    assert.deepEqual(await stored(removed.patientID), []);
    const [merged] = await stored(kept.patientID);
    assert.deepEqual(
      { name: merged?.name, age: merged?.age, medicalCondition: merged?.medicalCondition },
      { name: kept.name, age: kept.age, medicalCondition: 'Hypertension' },
    );

    // The removed record waits among the deleted ones, pointing to the one kept.
    await goTo(page, 'Deleted patients');
    const deleted = region(page, 'Deleted patients');
    const row = deleted.locator('tbody tr').filter({ has: page.getByRole('cell', { name: removed.patientID, exact: true }) });
    const pointer = row.getByRole('link', { name: `Merged into #${kept.id}`, exact: true });
    await pointer.waitFor();
    await assertNoAxeViolations(page, 'the Deleted patients page with a merged record');
    await pointer.click();
    await region(page, 'Patient record').getByText(`Record number ${kept.id}`, { exact: true }).waitFor();
  });
});
