// @ts-check
/** Fresh random patients for every run, so runs never depend on each other. */
import { randomBytes } from 'node:crypto';

export const RUN = randomBytes(3).toString('hex').toUpperCase();

const FIRST = ['Amara', 'Bjorn', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ilse', 'Jonas', 'Keiko', 'Luis', 'Mina'];
const LAST = ['Okafor', 'Lindqvist', 'Wei', 'Haddad', 'Novak', 'Silva', 'Tanaka', 'Moreau', 'Kowalski', 'Reyes'];
const CONDITIONS = ['Hypertension', 'Asthma', 'Type 2 Diabetes', 'Migraine', 'Eczema', 'Arthritis', 'Anaemia'];
const GENDERS = /** @type {const} */ (['Male', 'Female', 'Other']);

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
 * @param {string} patientID
 * @returns {{patientID: string, name: string, age: number, gender: 'Male' | 'Female' | 'Other', medicalCondition: string, lastVisit: string}}
 */
export function randomPatient(patientID) {
  return {
    patientID,
    name: `${pick(FIRST)} ${pick(LAST)} ${randomBytes(2).toString('hex')}`,
    age: 1 + Math.floor(Math.random() * 95),
    gender: pick(GENDERS),
    medicalCondition: pick(CONDITIONS),
    lastVisit: pastDate(),
  };
}

/**
 * Registers `count` patients through the API itself (POST /patients).
 * @param {string} baseUrl
 * @param {number} count
 */
export async function seedPatients(baseUrl, count) {
  for (let n = 1; n <= count; n++) {
    const patient = randomPatient(`S${RUN}-${String(n).padStart(2, '0')}`);
    const response = await fetch(`${baseUrl}/patients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(patient),
    });
    if (response.status !== 201) throw new Error(`seeding failed: POST /patients answered ${response.status}`);
  }
}

/**
 * @typedef {{id: string | number, patientID: string, name: string, age: number, gender: string,
 *   medicalCondition: string, lastVisit: string}} WirePatient
 * @typedef {{first: number, prev: number | null, next: number | null, last: number, pages: number,
 *   items: number, data: WirePatient[]}} Envelope
 */

/**
 * @param {string} baseUrl
 * @param {string} path
 */
async function getJson(baseUrl, path) {
  const response = await fetch(`${baseUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return /** @type {unknown} */ (await response.json());
}

/**
 * What the server holds for a patient ID, to check what the page did.
 * @param {string} baseUrl
 * @param {string} patientID
 */
export async function patientsWithId(baseUrl, patientID) {
  const query = new URLSearchParams({ patientID });
  return /** @type {WirePatient[]} */ (await getJson(baseUrl, `/patients?${query}`));
}

/**
 * One page as the server answers it, to compare with the rows the page shows.
 * @param {string} baseUrl
 * @param {number} page
 * @param {string} [sort]
 */
export async function serverPage(baseUrl, page, sort) {
  const query = new URLSearchParams({ _page: String(page), _per_page: '20' });
  if (sort) query.set('_sort', sort);
  return /** @type {Envelope} */ (await getJson(baseUrl, `/patients?${query}`));
}
