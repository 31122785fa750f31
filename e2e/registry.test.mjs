// @ts-check
/**
 * Browser tests: the built front end in Debian's Chromium against our back end (see
 * support/servers.mjs), signed in as a clinician made with the back end's CLI. Run with
 * `npm run e2e`. Signing in itself, the Staff page and the idle sign-out: auth.test.mjs.
 *
 * The tests share one server but nothing else: each one opens its own browser page, makes
 * its own patients (random IDs under a tag of its own, see support/data.mjs) and asserts only
 * on those, so any test passes alone, in any order, and whatever else the server holds.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { assertNoAxeViolations } from './support/a11y.mjs';
import { launchBrowser } from './support/browser.mjs';
import {
  apiToken,
  createPatients,
  fillRegisterForm,
  newPassword,
  newTag,
  newUsername,
  patientsWithId,
  randomPatient,
  serverPage,
} from './support/data.mjs';
import { SHOTS } from './support/pages.mjs';
import { startServer } from './support/servers.mjs';
import { signInContext, watchPage } from './support/session.mjs';

/** Rows on one page of the list (PER_PAGE in src/features/patients/PatientList.tsx). */
const PER_PAGE = 20;

/**
 * Waits for the alert of a form's region; if none comes, fails with what the region shows
 * instead (a duplicate warning holding the form, a failed check), so a rare failure explains
 * itself in the CI log.
 * @param {import('playwright-core').Locator} region
 */
async function alertShownIn(region) {
  try {
    await region.getByRole('alert').waitFor();
  } catch (error) {
    const shown = await region.innerText().catch(() => '(unreadable)');
    throw new Error(`no alert in the form; it shows instead:\n${shown}`, { cause: error });
  }
}

/**
 * Retries `check` until it passes: the page answers asynchronously.
 * @template T
 * @param {() => Promise<T>} check
 * @returns {Promise<T>}
 */
async function eventually(check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
}

/** `count` patient IDs "<tag>-<label>01", "<tag>-<label>02", …: none is the start of another. */
const numberedIds = (/** @type {string} */ tag, /** @type {string} */ label, /** @type {number} */ count) =>
  Array.from({ length: count }, (_, n) => `${tag}-${label}${String(n + 1).padStart(2, '0')}`);

describe('patient registry in the browser', { timeout: 300_000 }, () => {
  /** @type {import('./support/servers.mjs').RunningServer} */
  let server;
  /** The clinician every test here is signed in as (no forced password change: made with the CLI). */
  const clinician = { username: newUsername('clinician'), password: newPassword() };
  /** The clinician's API token, for making and checking patients from Node. */
  let token = '';
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').BrowserContext} */
  let context;
  /** The test's own page, opened blank: the test calls open() once its patients exist. */
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {string[]} */
  let pageErrors = [];

  const region = (/** @type {string} */ name) => page.getByRole('region', { name, exact: true });
  const registerForm = () => region('Register a patient');
  const finder = () => region('Find a patient');
  const list = () => region('Patients');
  const open = () => page.goto(`${server.baseUrl}/`);
  /** @param {import('./support/data.mjs').NewPatient[]} patients */
  const create = (patients) => createPatients(server.baseUrl, token, patients);
  /** @param {string} patientID */
  const stored = (patientID) => patientsWithId(server.baseUrl, token, patientID);

  /** Waits until the list shows the server's answer for what it asked last (page, sort). */
  async function listSettled() {
    await list().locator('table.patient-table').waitFor();
    await list().locator('table.patient-table[aria-busy]').waitFor({ state: 'detached' });
  }

  /** The rows of the list's current page, as they read on screen. */
  function rowsShown() {
    return list()
      .locator('tbody tr.row')
      .evaluateAll((rows) =>
        rows.map((row) => {
          const cells = /** @type {HTMLTableRowElement} */ (row).cells;
          return { patientID: cells[0]?.textContent ?? '', name: cells[1]?.textContent ?? '' };
        }),
      );
  }

  /** The Next button when it can be clicked, else null (last page, or a single page). */
  async function nextButton() {
    const next = list().getByRole('button', { name: 'Next', exact: true });
    return (await next.count()) > 0 && (await next.isEnabled()) ? next : null;
  }

  /** @param {number} number */
  const pageShown = (number) => list().locator('.pagination__where').filter({ hasText: new RegExp(`^Page ${number} of \\d+$`) });

  /**
   * Reads the list from the page it is on (page 1) to its last page, clicking Next.
   * @returns {Promise<Array<Array<{patientID: string, name: string}>>>} the rows of each page
   */
  async function readAllPages() {
    const pages = [];
    for (;;) {
      await listSettled();
      pages.push(await rowsShown());
      const next = await nextButton();
      if (!next) return pages;
      await next.click();
      await pageShown(pages.length + 1).waitFor();
    }
  }

  /**
   * The list's row for `patientID`: the list shows every patient, so it pages on with Next
   * until the row is on screen.
   * @param {string} patientID
   */
  async function rowInList(patientID) {
    const row = list()
      .locator('tbody tr.row')
      .filter({ has: page.getByRole('cell', { name: patientID, exact: true }) });
    for (let number = 1; ; number++) {
      await listSettled();
      if ((await row.count()) > 0) return row;
      const next = await nextButton();
      if (!next) throw new Error(`${patientID} is on none of the ${number} pages of the list`);
      await next.click();
      await pageShown(number + 1).waitFor();
    }
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    await server.createUser(clinician.username, 'clinician', clinician.password);
    token = await apiToken(server.baseUrl, clinician.username, clinician.password);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    pageErrors = [];
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await signInContext(context, server.baseUrl, clinician);
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    watchPage(page, pageErrors);
  });

  afterEach(async () => {
    await context?.close();
    // Every test also fails on a script error in its page, or on anything the CSP refused.
    assert.deepEqual(pageErrors, [], 'no script errors or CSP refusals in the page');
  });

  it('registers a new patient through the form', async () => {
    const patient = randomPatient(`${newTag()}-REG`);
    await open();
    const form = registerForm();
    await fillRegisterForm(form, patient);
    await form.getByRole('button', { name: 'Register patient' }).click();

    const status = form.getByRole('status');
    await status.filter({ hasText: 'Registered' }).waitFor();
    assert.equal(await status.textContent(), `Registered ${patient.name} with patient ID ${patient.patientID}.`);
    assert.equal(await form.getByLabel('Patient ID', { exact: true }).inputValue(), '', 'the form is reset');

    const found = await stored(patient.patientID);
    assert.equal(found.length, 1);
    const { id, ...fields } = /** @type {import('./support/data.mjs').WirePatient} */ (found[0]);
    assert.ok(id !== undefined && id !== '');
    assert.deepEqual(fields, patient);
  });

  it('checks the rules in the browser, keyboard only, before sending anything', async () => {
    await open();
    /** @type {string[]} */
    const posts = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    const form = registerForm();
    await form.getByLabel('Patient ID', { exact: true }).focus();
    // Tab order follows the visual order of the six fields, then the button.
    const order = ['register-patientID', 'register-name', 'register-age', 'register-gender', 'register-medicalCondition', 'register-lastVisit'];
    for (const expected of order) {
      assert.equal(await page.evaluate(() => document.activeElement?.id), expected);
      // The date input has a Tab stop per part (month, day, year): leave it completely.
      for (let hops = 0; hops < 5 && (await page.evaluate(() => document.activeElement?.id)) === expected; hops++) {
        await page.keyboard.press('Tab');
      }
    }
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Register patient');
    await page.keyboard.press('Enter');

    await form.getByRole('alert').filter({ hasText: 'Please correct the 6 entries marked below.' }).waitFor();
    const patientId = form.getByLabel('Patient ID', { exact: true });
    assert.equal(await patientId.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'register-patientID', 'focus on the first error');
    await page.keyboard.type(`${newTag()}-KEY`);
    await form.getByLabel('Age', { exact: true }).fill('151');
    await form.getByRole('button', { name: 'Register patient' }).click();
    await form.getByText('Age must be between 1 and 150.').waitFor();
    assert.deepEqual(posts, []);
  });

  it('shows a duplicate patient ID next to the Patient ID field', async () => {
    const tag = newTag();
    const [existing] = await create([randomPatient(`${tag}-DUP`)]);
    assert.ok(existing);
    await open();
    const form = registerForm();
    const twin = randomPatient(existing.patientID.toLowerCase()); // unique case-insensitively
    await fillRegisterForm(form, twin);
    await form.getByRole('button', { name: 'Register patient' }).click();

    await alertShownIn(form);
    const field = form.getByLabel('Patient ID', { exact: true });
    await eventually(async () => assert.equal(await field.getAttribute('aria-invalid'), 'true'));
    const message = (await form.locator('#register-patientID-error').textContent()) ?? '';
    assert.ok(message.trim().length > 0, 'a message under Patient ID');
    assert.equal(await field.inputValue(), twin.patientID, 'entries kept for correction');
    // The lookup ignores case: the twin, had it been stored, would be listed here too.
    const found = await stored(existing.patientID);
    assert.deepEqual(found.map((p) => p.name), [existing.name]);
  });

  it('finds the patient by patient ID', async () => {
    const tag = newTag();
    const [patient, neighbour] = [randomPatient(`${tag}-FIND`), randomPatient(`${tag}-NEAR`)];
    await create([patient, neighbour]);
    await open();
    const find = finder();
    const input = find.getByLabel('Patient ID', { exact: true });
    await input.fill(patient.patientID);
    await input.press('Enter');
    const row = find.getByRole('row').filter({ hasText: patient.patientID });
    await row.getByRole('cell', { name: patient.name, exact: true }).waitFor();
    assert.equal(await find.locator('tbody tr.row').count(), 1, `only ${patient.patientID}, not ${neighbour.patientID}`);

    await input.fill(`${tag}-NO-SUCH-ID`);
    await input.press('Enter');
    await find.getByText(`No patient has the ID “${tag}-NO-SUCH-ID”.`).waitFor();

    // Our API matches patient IDs case-insensitively.
    await input.fill(patient.patientID.toLowerCase());
    await input.press('Enter');
    await row.getByRole('cell', { name: patient.name, exact: true }).waitFor();
    assert.equal(await find.locator('tbody tr.row').count(), 1);
  });

  it('finds the patient by part of the name', async () => {
    const tag = newTag();
    const [patient, other] = [randomPatient(`${tag}-NAME`), randomPatient(`${tag}-OTHER`)];
    await create([patient, other]);
    await open();
    const find = finder();
    const part = patient.name.split(' ').pop() ?? ''; // the 8 random hex digits: this patient's only
    await find.getByLabel('Name or condition', { exact: true }).fill(part);
    await find.getByRole('button', { name: 'Search' }).click();
    await find.getByText(`1 patient matching “${part}”`).waitFor();
    const matches = find.getByRole('table', { name: `Patients matching ${part}` });
    await matches.getByRole('cell', { name: patient.name, exact: true }).waitFor();
    assert.deepEqual(
      (await matches.locator('tbody tr.row td:first-child').allTextContents()),
      [patient.patientID],
      `${other.patientID} does not match`,
    );
  });

  it('edits the patient from the list', async () => {
    const tag = newTag();
    const [patient] = [randomPatient(`${tag}-EDIT`)];
    await create([patient]);
    await open();
    const patients = list();
    const row = await rowInList(patient.patientID);
    await row.getByRole('button', { name: /^Edit / }).click();

    const edited = { age: (patient.age % 150) + 1, medicalCondition: `Recovered ${tag}` };
    await patients.getByLabel('Age', { exact: true }).fill(String(edited.age));
    await patients.getByLabel('Medical condition', { exact: true }).fill(edited.medicalCondition);
    await patients.getByRole('button', { name: 'Save changes' }).click();

    await patients.getByText(`Saved changes to ${patient.name} (${patient.patientID}).`).waitFor();
    await row.getByRole('cell', { name: edited.medicalCondition }).waitFor();
    assert.equal(await patients.getByRole('button', { name: 'Save changes' }).count(), 0, 'editor closed');
    const found = await stored(patient.patientID);
    assert.equal(found.length, 1);
    assert.deepEqual({ ...found[0], id: undefined }, { ...patient, ...edited, id: undefined });
  });

  it('deletes the patient from the list after a confirmation', async () => {
    const [patient] = [randomPatient(`${newTag()}-DEL`)];
    await create([patient]);
    await open();
    const patients = list();
    const row = await rowInList(patient.patientID);
    await row.getByRole('button', { name: /^Delete / }).click();
    await row.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await stored(patient.patientID)).length, 1, 'cancel keeps it');

    await row.getByRole('button', { name: /^Delete / }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await patients.getByText(`Deleted ${patient.name} (${patient.patientID}).`).waitFor();
    await eventually(async () => assert.equal(await row.count(), 0));
    assert.deepEqual(await stored(patient.patientID), []);
  });

  it('pages through the list with the total from the server', async () => {
    // More than a page of its own, so the list has two pages or more whatever else is there.
    const ids = numberedIds(newTag(), 'PAGE', PER_PAGE + 1);
    const before = (await serverPage(server.baseUrl, token, 1)).items;
    await create(ids.map((id) => randomPatient(id)));
    const { items, pages } = await serverPage(server.baseUrl, token, 1);
    assert.equal(items, before + ids.length, 'the server counts the new patients');

    await open();
    const patients = list();
    await patients.getByText(`${items} patients`, { exact: true }).waitFor();
    await patients.getByText(`Page 1 of ${pages}`, { exact: true }).waitFor();
    assert.ok(pages >= 2);
    assert.ok(!(await patients.getByRole('button', { name: 'Previous', exact: true }).isEnabled()), 'no page before page 1');

    const shown = await readAllPages();
    assert.equal(shown.length, pages, 'Next leads through every page, then stops');
    assert.equal(shown[0]?.length, PER_PAGE, 'a full first page');
    const listed = shown.flat().map((row) => row.patientID);
    for (const id of ids) {
      assert.equal(listed.filter((shownId) => shownId === id).length, 1, `${id} is on exactly one page`);
    }
    await patients.getByText(`${items} patients`, { exact: true }).waitFor();

    for (let number = pages - 1; number >= 1; number--) {
      await patients.getByRole('button', { name: 'Previous', exact: true }).click();
      await pageShown(number).waitFor();
    }
    await listSettled();
    assert.deepEqual(await rowsShown(), shown[0], 'Previous leads back to the same first page');
  });

  it('sorts the list on the server by clicking a column header', async () => {
    // More than a page of its own, created out of name order: "<tag> Sortable 01" … "22".
    const tag = newTag();
    const count = PER_PAGE + 2;
    const names = Array.from({ length: count }, (_, n) => `${tag} Sortable ${String(n + 1).padStart(2, '0')}`);
    const created = Array.from({ length: count }, (_, n) => (n * 7) % count); // a permutation of 0…21
    await create(created.map((n) => randomPatient(`${tag}-SORT${String(n + 1).padStart(2, '0')}`, { name: names[n] })));
    const own = (/** @type {Array<Array<{patientID: string, name: string}>>} */ pages) =>
      pages.flat().map((row) => row.name).filter((name) => name.startsWith(`${tag} `));

    await open();
    const patients = list();
    const header = patients.getByRole('columnheader', { name: 'Name', exact: true });
    await listSettled();
    assert.equal(await header.getAttribute('aria-sort'), 'none');

    const ascending = page.waitForRequest((r) => r.url().includes('_sort=name'));
    await header.getByRole('button').click();
    await ascending;
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    await pageShown(1).waitFor();
    const byName = await readAllPages();
    assert.ok(byName.length >= 2);
    assert.deepEqual(own(byName), names, 'A to Z across all pages');

    const descending = page.waitForRequest((r) => r.url().includes('_sort=-name'));
    await header.getByRole('button').click();
    await descending;
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    await pageShown(1).waitFor();
    assert.deepEqual(own(await readAllPages()), [...names].reverse(), 'Z to A across all pages');
  });

  /**
   * Marks every live region in `scope` as it is now, so a later check can tell whether a
   * message appeared in a region that was already in the page (as screen readers need).
   * @param {import('playwright-core').Locator} scope
   */
  const markLiveRegions = (scope) =>
    scope.locator('[role="status"], [aria-live]').evaluateAll((regions) => {
      for (const region of regions) region.setAttribute('data-e2e-was-there', '');
    });

  /**
   * Asserts that `text` is shown in a live region marked by markLiveRegions().
   * @param {import('playwright-core').Locator} scope
   * @param {string} text
   */
  async function assertAnnouncedInPlace(scope, text) {
    const message = scope.getByText(text, { exact: true });
    await message.waitFor();
    assert.ok(
      await message.evaluate((node) => node.closest('[data-e2e-was-there]') !== null),
      `"${text}" appears in a live region that was in the page before`,
    );
  }

  it('passes axe-core in every state of the registry, closes the editor with Escape and announces "no match"', async () => {
    const tag = newTag();
    const [patient] = await create([randomPatient(`${tag}-A11Y`), randomPatient(`${tag}-A11Z`)]);
    assert.ok(patient);
    /** @type {string[]} */
    const writes = [];
    page.on('request', (request) => {
      if (request.method() !== 'GET') writes.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    await open();
    await listSettled();
    await page.getByText(`Signed in as ${clinician.username} (Clinician)`).waitFor();
    await assertNoAxeViolations(page, 'the registry, signed in as a clinician');

    await registerForm().getByRole('button', { name: 'Register patient' }).click();
    await alertShownIn(registerForm());
    await assertNoAxeViolations(page, 'the register form with its errors');

    const find = finder();
    await markLiveRegions(find);
    await find.getByLabel('Patient ID', { exact: true }).fill(`${tag}-NONE`);
    await find.getByRole('button', { name: 'Find', exact: true }).click();
    await assertAnnouncedInPlace(find, `No patient has the ID “${tag}-NONE”.`);
    await find.getByLabel('Name or condition', { exact: true }).fill(`${tag}-nothing`);
    await find.getByRole('button', { name: 'Search', exact: true }).click();
    await assertAnnouncedInPlace(find, `No patients match “${tag}-nothing”.`);
    await assertNoAxeViolations(page, 'find and search without a match');

    await find.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
    await find.getByRole('button', { name: 'Find', exact: true }).click();
    await find.getByRole('cell', { name: patient.name, exact: true }).waitFor();
    await find.getByLabel('Name or condition', { exact: true }).fill(tag);
    await find.getByRole('button', { name: 'Search', exact: true }).click();
    await find.getByText(`2 patients matching “${tag}”`).waitFor();
    await assertNoAxeViolations(page, 'a patient found by ID and by search');

    const row = await rowInList(patient.patientID);
    const edit = row.getByRole('button', { name: /^Edit / });
    await edit.click();
    const patients = list();
    await patients.getByLabel('Age', { exact: true }).fill('1');
    await assertNoAxeViolations(page, 'the edit row');
    await patients.getByLabel('Age', { exact: true }).press('Escape');
    await patients.getByRole('button', { name: 'Save changes' }).waitFor({ state: 'detached' });
    assert.equal(await edit.evaluate((button) => button === document.activeElement), true, 'focus back on Edit');
    assert.equal((await stored(patient.patientID))[0]?.age, patient.age, 'Escape saved nothing');

    await row.getByRole('button', { name: /^Delete / }).click();
    await row.getByRole('group', { name: /^Confirm deleting/ }).waitFor();
    await assertNoAxeViolations(page, 'the delete confirmation');
    assert.deepEqual(writes, [], 'nothing was written');
  });

  it('shows a receptionist no medical condition anywhere, and no Delete', async () => {
    const receptionist = { username: newUsername('receptionist'), password: newPassword() };
    await server.createUser(receptionist.username, 'receptionist', receptionist.password);
    const tag = newTag();
    const [patient] = await create([randomPatient(`${tag}-DESK`, { medicalCondition: `Private ${tag}` })]);
    assert.ok(patient);

    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await signInContext(desk, server.baseUrl, receptionist);
      const deskPage = await desk.newPage();
      deskPage.setDefaultTimeout(10_000);
      watchPage(deskPage, pageErrors);
      /** @type {string[]} */
      const bodies = [];
      deskPage.on('request', (request) => {
        if (request.method() !== 'GET') bodies.push(request.postData() ?? '');
      });
      const noCondition = async (/** @type {string} */ where) => {
        assert.equal(await deskPage.getByText(/Medical condition|condition/i).count(), 0, `no condition in ${where}`);
        assert.equal(await deskPage.getByText(`Private ${tag}`).count(), 0, `not the patient's condition in ${where}`);
        assert.equal(await deskPage.getByRole('button', { name: /^Delete/ }).count(), 0, `no Delete in ${where}`);
      };
      await deskPage.goto(`${server.baseUrl}/`);
      await deskPage.getByText(`Signed in as ${receptionist.username} (Receptionist)`).waitFor();
      const deskList = deskPage.getByRole('region', { name: 'Patients', exact: true });
      await deskList.locator('table.patient-table').waitFor();
      const headers = await deskList.getByRole('columnheader').allTextContents();
      assert.deepEqual(
        headers.map((text) => text.replace(/[▲▼↕]/g, '')),
        ['Patient ID', 'Name', 'Age', 'Gender', 'Last visit', 'Actions'],
      );
      await noCondition('the list and the register form');
      await assertNoAxeViolations(deskPage, 'the registry as a receptionist');

      const deskFind = deskPage.getByRole('region', { name: 'Find a patient', exact: true });
      const hex = patient.name.split(' ').pop() ?? '';
      await deskFind.getByLabel('Name', { exact: true }).fill(hex);
      await deskFind.getByRole('button', { name: 'Search', exact: true }).click();
      await deskFind.getByRole('cell', { name: patient.name, exact: true }).waitFor();
      await deskFind.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
      await deskFind.getByRole('button', { name: 'Find', exact: true }).click();
      await deskFind.getByRole('table', { name: `Patient with ID ${patient.patientID}` }).waitFor();
      await noCondition('the search and find results');

      const found = deskFind.getByRole('table', { name: `Patient with ID ${patient.patientID}` });
      await found.getByRole('button', { name: /^Edit / }).click();
      await found.getByLabel('Name', { exact: true }).waitFor();
      await noCondition('the edit row');
      await assertNoAxeViolations(deskPage, 'the edit row as a receptionist');
      await found.getByLabel('Age', { exact: true }).fill(String((patient.age % 150) + 1));
      await found.getByRole('button', { name: 'Save changes' }).click();
      await deskFind.getByText(`Saved changes to ${patient.name} (${patient.patientID}).`).waitFor();

      const fresh = randomPatient(`${tag}-NEW`);
      const form = deskPage.getByRole('region', { name: 'Register a patient', exact: true });
      await fillRegisterForm(form, fresh, { withCondition: false });
      await form.getByRole('button', { name: 'Register patient' }).click();
      await form.getByText(`Registered ${fresh.name} with patient ID ${fresh.patientID}.`).waitFor();

      // The registration asks POST /patients/match first, with the same body as its POST.
      assert.equal(bodies.length, 3, 'one PATCH, the duplicate check, one POST');
      for (const body of bodies) assert.ok(!body.includes('medicalCondition'), `no medicalCondition in ${body}`);
      const [edited] = await stored(patient.patientID);
      assert.equal(edited?.medicalCondition, `Private ${tag}`, 'the condition is untouched');
      const [registered] = await stored(fresh.patientID);
      assert.equal(registered?.medicalCondition, 'Not recorded');
    } finally {
      await desk.close();
    }
  });

  it('fits a phone screen and takes screenshots at 1280 and 375 pixels', async () => {
    // A page and more of its own, so the list shows its pager whatever else is there.
    const patients = numberedIds(newTag(), 'SHOT', PER_PAGE + 1).map((id) => randomPatient(id));
    await create(patients);
    const mine = /** @type {import('./support/data.mjs').NewPatient} */ (patients[0]);
    mkdirSync(SHOTS, { recursive: true });
    await open();
    await list().getByText('Page 1 of', { exact: false }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'screenshot.png'), fullPage: true });

    const phoneContext = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await signInContext(phoneContext, server.baseUrl, clinician);
    const phone = await phoneContext.newPage();
    watchPage(phone, pageErrors);
    const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    try {
      await phone.goto(`${server.baseUrl}/`);
      await phone.getByRole('region', { name: 'Patients', exact: true }).getByText('Page 1 of', { exact: false }).waitFor();
      assert.ok((await overflow()) <= 0, `no sideways scrolling at 375 px (overflow ${await overflow()} px)`);
      await phone.screenshot({ path: join(SHOTS, 'screenshot-mobile.png'), fullPage: true });

      // One of its own patients, found by ID, as a card on the phone.
      const find = phone.getByRole('region', { name: 'Find a patient', exact: true });
      await find.getByLabel('Patient ID', { exact: true }).fill(mine.patientID);
      await find.getByRole('button', { name: 'Find', exact: true }).click();
      await find.locator('tbody tr.row').filter({ hasText: mine.name }).waitFor();
      assert.ok((await overflow()) <= 0, `no sideways scrolling with a patient found (overflow ${await overflow()} px)`);
    } finally {
      await phoneContext.close();
    }
  });
});
