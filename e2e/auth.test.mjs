// @ts-check
/**
 * Browser tests of signing in and out, the forced password change, the admin's Staff page
 * and the idle sign-out, against our back end on a fresh database (support/servers.mjs).
 * Every state a test reaches is also checked with axe-core at 1280 and 390 pixels.
 *
 * Each test uses accounts and patients of its own (random names), so any test passes alone
 * and in any order; only the first one touches the initial `admin`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoAxeViolations } from './support/a11y.mjs';
import { apiToken, fillRegisterForm, newPassword, newTag, newUsername, patientsWithId, randomPatient } from './support/data.mjs';
import { pagesPerTest } from './support/pages.mjs';
import { startServer } from './support/servers.mjs';
import { signInContext, signInWithForm } from './support/session.mjs';

const pages = pagesPerTest();

/** A fresh browser context (no cookies: signed out) and its page. */
const freshPage = () => pages.open();

/**
 * Fills and sends the forced "Change your password" form.
 * @param {import('playwright-core').Page} page
 * @param {string} current
 * @param {string} next
 */
async function changePassword(page, current, next) {
  const form = page.getByRole('region', { name: 'Change your password', exact: true });
  await form.getByLabel('Current password', { exact: true }).fill(current);
  await form.getByLabel('New password', { exact: true }).fill(next);
  await form.getByLabel('Repeat new password', { exact: true }).fill(next);
  await form.getByRole('button', { name: 'Change password', exact: true }).click();
}

/** @param {import('playwright-core').Page} page */
const signInRegion = (page) => page.getByRole('region', { name: 'Sign in', exact: true });

/**
 * The message the sign-in page shows about why it is there.
 * @param {import('playwright-core').Page} page
 * @param {string} text
 */
async function signInPageSays(page, text) {
  await signInRegion(page).getByRole('status').filter({ hasText: text }).waitFor();
  assert.equal((await signInRegion(page).getByRole('status').textContent())?.trim(), text);
}

describe('signing in, the forced password change and the Staff page', { timeout: 180_000 }, () => {
  /** @type {import('./support/servers.mjs').RunningServer} */
  let server;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server?.stop();
  });

  it('lets the initial admin in after a password change; they register and find a patient, then sign out', async () => {
    const page = await freshPage();
    await page.goto(`${server.baseUrl}/`);
    await signInRegion(page).waitFor();
    await assertNoAxeViolations(page, 'the sign-in page');

    await signInWithForm(page, 'admin', 'not the password');
    await signInRegion(page).getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await assertNoAxeViolations(page, 'the sign-in page with a refused sign-in');

    const initial = server.initialAdminPassword();
    await signInWithForm(page, 'admin', initial);
    const change = page.getByRole('region', { name: 'Change your password', exact: true });
    await change.waitFor();
    assert.equal(await page.getByRole('region', { name: 'Patients', exact: true }).count(), 0, 'nothing else first');
    await assertNoAxeViolations(page, 'the forced password change');

    await changePassword(page, 'not the current one', newPassword());
    await change.getByText('Current password is not your current password.').waitFor();
    await change.getByLabel('New password', { exact: true }).fill('password1234');
    await change.getByLabel('Current password', { exact: true }).fill(initial);
    await change.getByLabel('Repeat new password', { exact: true }).fill('password1234');
    await change.getByRole('button', { name: 'Change password', exact: true }).click();
    await change.locator('#change-newPassword-error').waitFor();
    assert.equal(await change.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await assertNoAxeViolations(page, 'the password change with the server’s field errors');

    const chosen = newPassword();
    await changePassword(page, initial, chosen);
    await page.getByText('Your password was changed.').waitFor();
    await page.getByText('Signed in as admin (Admin)').waitFor();
    await page.getByRole('region', { name: 'Staff accounts', exact: true }).getByRole('table').waitFor();
    await assertNoAxeViolations(page, 'the registry of an admin, Staff accounts included');

    const patient = randomPatient(`${newTag()}-ADM`);
    const form = page.getByRole('region', { name: 'Register a patient', exact: true });
    await fillRegisterForm(form, patient);
    await form.getByRole('button', { name: 'Register patient' }).click();
    await form.getByText(`Registered ${patient.name} with patient ID ${patient.patientID}.`).waitFor();

    const find = page.getByRole('region', { name: 'Find a patient', exact: true });
    await find.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
    await find.getByRole('button', { name: 'Find', exact: true }).click();
    await find.getByRole('cell', { name: patient.medicalCondition, exact: true }).waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signInPageSays(page, 'You signed out.');
    await assertNoAxeViolations(page, 'the sign-in page after signing out');
    const me = await page.request.get(`${server.baseUrl}/auth/me`);
    assert.equal(me.status(), 401, 'the session is gone on the server too');

    // The new password works, with no second change asked for.
    await signInWithForm(page, 'admin', chosen);
    await page.getByRole('region', { name: 'Patients', exact: true }).waitFor();
    const token = await apiToken(server.baseUrl, 'admin', chosen);
    assert.equal((await patientsWithId(server.baseUrl, token, patient.patientID)).length, 1);
  });

  it('lets an admin create a clinician, who must change the password; a reset ends their session', async () => {
    const admin = { username: newUsername('admin'), password: newPassword() };
    await server.createUser(admin.username, 'admin', admin.password);
    const page = await freshPage();
    await signInContext(page.context(), server.baseUrl, admin);
    await page.goto(`${server.baseUrl}/#staff`);
    const staff = page.getByRole('region', { name: 'Staff accounts', exact: true });
    await staff.getByRole('cell', { name: admin.username, exact: true }).waitFor();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Staff', exact: true }).waitFor();
    await assertNoAxeViolations(page, 'the Staff page');

    const clinician = { username: newUsername('clin'), password: newPassword() };
    const create = staff.getByRole('form', { name: 'Add a staff account' });
    await create.getByLabel('Username', { exact: true }).fill(clinician.username);
    await create.getByLabel('Role', { exact: true }).selectOption('clinician');
    await create.getByLabel('Temporary password', { exact: true }).fill(clinician.password);
    await create.getByRole('button', { name: 'Create account', exact: true }).click();
    await staff.getByText(`Created the clinician account ${clinician.username}.`, { exact: false }).waitFor();
    const row = staff.getByRole('row').filter({ has: page.getByRole('cell', { name: clinician.username, exact: true }) });
    await row.getByRole('cell', { name: 'Must change at next sign-in', exact: true }).waitFor();
    assert.deepEqual(
      (await row.getByRole('cell').allTextContents()).slice(0, 3),
      [clinician.username, 'Clinician', 'Active'],
    );

    // The same name again, in other letter case: the server's 409 at the Username field.
    await create.getByLabel('Username', { exact: true }).fill(clinician.username.toUpperCase());
    await create.getByLabel('Role', { exact: true }).selectOption('receptionist');
    await create.getByLabel('Temporary password', { exact: true }).fill(newPassword());
    await create.getByRole('button', { name: 'Create account', exact: true }).click();
    await create.getByRole('alert').waitFor();
    assert.equal(await create.getByLabel('Username', { exact: true }).getAttribute('aria-invalid'), 'true');
    await assertNoAxeViolations(page, 'the Staff page with a refused new account');

    await row.getByRole('button', { name: `Change role of ${clinician.username}` }).click();
    await row.getByLabel(`New role for ${clinician.username}`).waitFor();
    await assertNoAxeViolations(page, 'a staff row with its role form open');
    await page.keyboard.press('Escape');
    await row.getByRole('button', { name: `Reset password of ${clinician.username}` }).click();
    await row.getByLabel(`New temporary password for ${clinician.username}`).waitFor();
    await assertNoAxeViolations(page, 'a staff row with its password reset form open');
    await row.getByRole('button', { name: 'Cancel', exact: true }).click();

    // The clinician, in a browser of their own, must change the temporary password first.
    const theirs = await freshPage();
    await theirs.goto(`${server.baseUrl}/`);
    await signInWithForm(theirs, clinician.username, clinician.password);
    await theirs.getByRole('region', { name: 'Change your password', exact: true }).waitFor();
    const own = newPassword();
    await changePassword(theirs, clinician.password, own);
    await theirs.getByRole('region', { name: 'Patients', exact: true }).waitFor();
    await theirs.getByText(`Signed in as ${clinician.username} (Clinician)`).waitFor();
    assert.equal(await theirs.getByRole('link', { name: 'Staff', exact: true }).count(), 0, 'no Staff page for a clinician');
    assert.equal(await theirs.getByRole('region', { name: 'Staff accounts', exact: true }).count(), 0);

    await page.reload();
    await row.getByRole('cell', { name: 'Chosen by the user', exact: true }).waitFor();

    // A reset by the admin ends the clinician's sessions: their next request finds it gone.
    const temporary = newPassword();
    await row.getByRole('button', { name: `Reset password of ${clinician.username}` }).click();
    await row.getByLabel(`New temporary password for ${clinician.username}`).fill(temporary);
    await row.getByRole('button', { name: 'Reset password', exact: true }).click();
    await staff.getByText(`Reset the password of ${clinician.username}.`, { exact: false }).waitFor();
    await row.getByRole('cell', { name: 'Must change at next sign-in', exact: true }).waitFor();

    const search = theirs.getByRole('region', { name: 'Find a patient', exact: true });
    await search.getByLabel('Name or condition', { exact: true }).fill('anyone');
    await search.getByRole('button', { name: 'Search', exact: true }).click();
    await signInPageSays(theirs, 'Your session has ended. Please sign in again.');
    await assertNoAxeViolations(theirs, 'the sign-in page after the session ended');
    await signInWithForm(theirs, clinician.username, temporary);
    await theirs.getByRole('region', { name: 'Change your password', exact: true }).waitFor();

    // Disabled: the account can no longer sign in.
    await row.getByRole('button', { name: `Disable ${clinician.username}` }).click();
    await row.getByRole('cell', { name: 'Disabled', exact: true }).waitFor();
    await row.getByRole('button', { name: `Enable ${clinician.username}` }).waitFor();
    const again = await freshPage();
    await again.goto(`${server.baseUrl}/`);
    await signInWithForm(again, clinician.username, temporary);
    await signInRegion(again).getByRole('alert').waitFor();
  });
});

describe('signing out after inactivity', { timeout: 60_000 }, () => {
  const IDLE_SECONDS = 4;
  /** @type {import('./support/servers.mjs').RunningServer} */
  let server;

  before(async () => {
    server = await startServer({ idleTimeoutSeconds: IDLE_SECONDS });
  });

  after(async () => {
    await server?.stop();
  });

  it(`signs out after ${IDLE_SECONDS} seconds without a key or pointer press, and says so`, async () => {
    const clinician = { username: newUsername('idle'), password: newPassword() };
    await server.createUser(clinician.username, 'clinician', clinician.password);
    const page = await freshPage();
    await page.goto(`${server.baseUrl}/`);
    await signInWithForm(page, clinician.username, clinician.password);
    await page.getByRole('region', { name: 'Patients', exact: true }).waitFor();
    const shownAt = Date.now();

    await signInPageSays(page, `You were signed out after ${IDLE_SECONDS} seconds without activity.`);
    const waited = (Date.now() - shownAt) / 1000;
    assert.ok(waited >= IDLE_SECONDS - 1, `not before the timeout (after ${waited} s)`);
    const me = await page.request.get(`${server.baseUrl}/auth/me`);
    assert.equal(me.status(), 401, 'the session is gone on the server too');
    await assertNoAxeViolations(page, 'the sign-in page after the idle sign-out');
  });
});
