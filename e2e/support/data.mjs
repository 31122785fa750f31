// @ts-check
/**
 * Test data: every test makes its own patients with IDs and names no other test (or run)
 * uses, so no test depends on the order the tests run in or on what another test left.
 */
import { randomBytes } from 'node:crypto';

const FIRST = ['Amara', 'Bjorn', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ilse', 'Jonas', 'Keiko', 'Luis', 'Mina'];
const LAST = ['Okafor', 'Lindqvist', 'Wei', 'Haddad', 'Novak', 'Silva', 'Tanaka', 'Moreau', 'Kowalski', 'Reyes'];
const CONDITIONS = ['Hypertension', 'Asthma', 'Type 2 Diabetes', 'Migraine', 'Eczema', 'Arthritis', 'Anaemia'];
const GENDERS = /** @type {const} */ (['Male', 'Female', 'Other']);

/**
 * @typedef {{patientID: string, name: string, age: number, gender: 'Male' | 'Female' | 'Other',
 *   medicalCondition: string, lastVisit: string}} NewPatient
 * @typedef {{id: string | number, patientID: string, name: string, age: number, gender: string,
 *   medicalCondition: string, lastVisit: string}} WirePatient
 * @typedef {{first: number, prev: number | null, next: number | null, last: number, pages: number,
 *   items: number, data: WirePatient[]}} Envelope
 */

/**
 * @template T
 * @param {readonly T[]} list
 * @returns {T}
 */
const pick = (list) => /** @type {T} */ (list[Math.floor(Math.random() * list.length)]);

/** A YYYY-MM-DD date within the last three years. */
function pastDate() {
  const day = new Date(Date.now() - Math.floor(Math.random() * 3 * 365 + 1) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

/**
 * A fresh tag for one test, e.g. "T3F09A1C2": the start of all the patient IDs that test
 * makes. It starts with a letter, so lower-casing an ID always changes it.
 */
export function newTag() {
  return `T${randomBytes(4).toString('hex').toUpperCase()}`;
}

/**
 * A valid patient with random fields; its name ends in 8 random hex digits of its own.
 * @param {string} patientID
 * @param {Partial<NewPatient>} [fields] fields to set instead of random ones
 * @returns {NewPatient}
 */
export function randomPatient(patientID, fields = {}) {
  return {
    patientID,
    name: `${pick(FIRST)} ${pick(LAST)} ${randomBytes(4).toString('hex')}`,
    age: 1 + Math.floor(Math.random() * 95),
    gender: pick(GENDERS),
    medicalCondition: pick(CONDITIONS),
    lastVisit: pastDate(),
    ...fields,
  };
}

/** A password the back end's policy accepts: long, random, and not the username. */
export function newPassword() {
  return `e2e ${randomBytes(9).toString('base64url')}`;
}

/** A username no other test (or run) uses. */
export function newUsername(/** @type {string} */ prefix) {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Signs in through the API (POST /auth/login), then makes a personal API token with that
 * session (POST /auth/tokens) for `Authorization: Bearer`. The session cookie is HttpOnly,
 * which means nothing to Node; cookie-authenticated writes must name their origin.
 * @param {string} baseUrl
 * @param {string} username
 * @param {string} password
 * @returns {Promise<string>} the token
 */
export async function apiToken(baseUrl, username, password) {
  const json = { 'Content-Type': 'application/json', Origin: baseUrl };
  const login = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`POST /auth/login as ${username} answered ${login.status}: ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const created = await fetch(`${baseUrl}/auth/tokens`, {
    method: 'POST',
    headers: { ...json, Cookie: cookie },
    body: JSON.stringify({ name: 'e2e', expiresInDays: 1 }),
  });
  if (created.status !== 201) throw new Error(`POST /auth/tokens answered ${created.status}: ${await created.text()}`);
  const { token } = /** @type {{ token: string }} */ (await created.json());
  return token;
}

/** @param {string} token */
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

/**
 * Registers patients through the API itself (POST /patients), one after the other.
 * @param {string} baseUrl
 * @param {string} token from apiToken()
 * @param {NewPatient[]} patients
 * @returns {Promise<WirePatient[]>} what the server stored
 */
export async function createPatients(baseUrl, token, patients) {
  const created = [];
  for (const patient of patients) {
    const response = await fetch(`${baseUrl}/patients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(token) },
      body: JSON.stringify(patient),
    });
    if (response.status !== 201) {
      throw new Error(`POST /patients for ${patient.patientID} answered ${response.status}: ${await response.text()}`);
    }
    created.push(/** @type {WirePatient} */ (await response.json()));
  }
  return created;
}

/**
 * Deletes a patient through the API itself (DELETE /patients/{id}), with a reason: on our API a
 * soft delete, which an admin can restore or purge.
 * @param {string} baseUrl
 * @param {string} token
 * @param {string | number} id
 * @param {string} reason
 */
export async function deletePatient(baseUrl, token, id, reason) {
  const response = await fetch(`${baseUrl}/patients/${id}`, {
    method: 'DELETE',
    headers: { 'Content-Type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ reason }),
  });
  if (!response.ok) throw new Error(`DELETE /patients/${id} answered ${response.status}: ${await response.text()}`);
}

/**
 * @param {string} baseUrl
 * @param {string} token
 * @param {string} path
 */
async function getJson(baseUrl, token, path) {
  const response = await fetch(`${baseUrl}${path}`, { headers: bearer(token) });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return /** @type {unknown} */ (await response.json());
}

/**
 * What the server holds for a patient ID, to check what the page did.
 * @param {string} baseUrl
 * @param {string} token
 * @param {string} patientID
 */
export async function patientsWithId(baseUrl, token, patientID) {
  const query = new URLSearchParams({ patientID });
  return /** @type {WirePatient[]} */ (await getJson(baseUrl, token, `/patients?${query}`));
}

/**
 * One page of the whole list as the server answers it (20 a page, like the front end).
 * @param {string} baseUrl
 * @param {string} token
 * @param {number} page
 */
export async function serverPage(baseUrl, token, page) {
  const query = new URLSearchParams({ _page: String(page), _per_page: '20' });
  return /** @type {Envelope} */ (await getJson(baseUrl, token, `/patients?${query}`));
}

/**
 * Types `patient` into the "Register a patient" form, as staff would (not submitted).
 * A receptionist's form has no medical condition: leave it out with `withCondition: false`.
 * @param {import('playwright-core').Locator} form
 * @param {ReturnType<typeof randomPatient>} patient
 */
export async function fillRegisterForm(form, patient, { withCondition = true } = {}) {
  await form.getByLabel('Patient ID', { exact: true }).fill(patient.patientID);
  await form.getByLabel('Name', { exact: true }).fill(patient.name);
  await form.getByLabel('Age', { exact: true }).fill(String(patient.age));
  await form.getByLabel('Gender', { exact: true }).selectOption(patient.gender);
  if (withCondition) await form.getByLabel('Medical condition', { exact: true }).fill(patient.medicalCondition);
  await form.getByLabel('Last visit', { exact: true }).fill(patient.lastVisit);
}
