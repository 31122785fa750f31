/**
 * The patient routes. They speak nothing but the json-server 1.0.0-beta.3 query
 * language (`field=value`, `q`, `_page`/`_per_page`, `_sort`), sent with the session
 * cookie (see http.ts).
 */
import { apiErrorFromBody } from './errors';
import { createHttp, isRecord, unreadable, type HttpOptions, type RequestOptions } from './http';
import { pageParams, parsePageOf, textOrNull } from './read';
import {
  PATIENT_FIELDS,
  type FieldChange,
  type FieldValue,
  type HistoryEntry,
  type PageQuery,
  type Patient,
  type PatientInput,
  type PatientKey,
  type PatientPage,
  type PatientPatch,
  type PatientVersion,
} from './types';

export type PatientServiceOptions = HttpOptions;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return '';
}

function age(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
  return null;
}

/** Reads one patient defensively: legacy json-server files hold odd records. */
export function parsePatient(value: unknown): Patient {
  if (!isRecord(value) || (typeof value.id !== 'string' && typeof value.id !== 'number')) {
    throw unreadable();
  }
  return {
    id: value.id,
    patientID: text(value.patientID),
    name: text(value.name),
    age: age(value.age),
    gender: text(value.gender),
    medicalCondition: text(value.medicalCondition),
    lastVisit: text(value.lastVisit),
  };
}

function parsePatients(value: unknown): Patient[] {
  if (!Array.isArray(value)) throw unreadable();
  return value.map(parsePatient);
}

/** Reads the `_page` envelope; a plain array (a server without paging) becomes one page. */
export function parsePage(value: unknown): PatientPage {
  if (!Array.isArray(value)) return parsePageOf(value, parsePatient);
  const data = parsePatients(value);
  return { first: 1, prev: null, next: null, last: 1, pages: 1, items: data.length, data };
}

function fieldValue(value: unknown): FieldValue {
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/** Where a field comes in the form; a field the page does not know goes last. */
const formOrder = (change: FieldChange) => {
  const index = PATIENT_FIELDS.findIndex((field) => field === change.field);
  return index < 0 ? PATIENT_FIELDS.length : index;
};

/** `{"name": {"from": "Ann", "to": "Anne"}}` as a list, in the order of the form. */
function parseChanges(value: unknown): FieldChange[] {
  if (!isRecord(value)) return [];
  const changes = Object.entries(value).map(([field, change]) => ({
    field,
    from: isRecord(change) ? fieldValue(change.from) : null,
    to: isRecord(change) ? fieldValue(change.to) : null,
  }));
  return changes.sort((a, b) => formOrder(a) - formOrder(b));
}

export function parseHistoryEntry(value: unknown): HistoryEntry {
  if (!isRecord(value) || typeof value.version !== 'number' || typeof value.at !== 'string') {
    throw unreadable();
  }
  return {
    version: value.version,
    at: value.at,
    username: textOrNull(value.username),
    action: text(value.action),
    changes: parseChanges(value.changes),
  };
}

/** `?_page=2&_per_page=20&_sort=-name&q=diabetes` */
export function pageQueryString(query: PageQuery): string {
  const params = pageParams(query.page, query.perPage);
  if (query.sort) {
    const minus = query.sort.direction === 'descending' ? '-' : '';
    params.set('_sort', `${minus}${query.sort.field}`);
  }
  const search = query.search?.trim();
  if (search) params.set('q', search);
  return params.toString();
}

function patientPath(id: PatientKey): string {
  return `/patients/${encodeURIComponent(String(id))}`;
}

export function createPatientService(options: PatientServiceOptions = {}) {
  // Patient routes read 409 as "this patient ID is taken" and name the form's fields.
  const { send, json, tagged } = createHttp(options, apiErrorFromBody);

  async function version(method: string, path: string, request: RequestOptions): Promise<PatientVersion> {
    const { body, etag } = await tagged(method, path, request);
    return { patient: parsePatient(body), etag };
  }

  return {
    /** One page of patients, optionally sorted and searched (`q`, our API only). */
    async listPage(query: PageQuery, signal?: AbortSignal): Promise<PatientPage> {
      return parsePage(await json('GET', `/patients?${pageQueryString(query)}`, { signal }));
    },

    /** Exact lookup by the clinic's patient ID, answered by the server (`?patientID=`). */
    async findByPatientId(patientID: string, signal?: AbortSignal): Promise<Patient[]> {
      const params = new URLSearchParams({ patientID });
      return parsePatients(await json('GET', `/patients?${params.toString()}`, { signal }));
    },

    /** The current version, with the ETag a change made from it sends back. */
    async get(id: PatientKey, signal?: AbortSignal): Promise<PatientVersion> {
      return version('GET', patientPath(id), { signal });
    },

    /**
     * `registeredDespite`: the probable or certain matches the user was shown and registered
     * anyway (X-Registered-Despite), which the server keeps in the create's audit event.
     */
    async create(input: PatientInput, registeredDespite: readonly PatientKey[] = []): Promise<Patient> {
      const headers = registeredDespite.length ? { 'X-Registered-Despite': registeredDespite.join(',') } : undefined;
      return parsePatient(await json('POST', '/patients', { body: input, headers }));
    },

    /** Up to `limit` patients with a name like `text` (typos, accents, word order), most alike first; our API only. */
    async similarNames(text: string, limit: number, signal?: AbortSignal): Promise<Patient[]> {
      const params = new URLSearchParams({ name_similar: text.trim(), _limit: String(limit) });
      return parsePage(await json('GET', `/patients?${params.toString()}`, { signal })).data;
    },

    /** Only if the record is still at `etag` (else 412), when given: no silent overwrite. */
    async update(id: PatientKey, patch: PatientPatch, etag: string | null = null): Promise<PatientVersion> {
      return version('PATCH', patientPath(id), { body: patch, ifMatch: etag });
    },

    /**
     * On our API a soft delete, which an admin can undo; the reason (optional) is kept with it.
     * With `etag`, only if the record is still at that version (else 412).
     */
    async remove(id: PatientKey, reason = '', etag: string | null = null): Promise<void> {
      const given = reason.trim();
      await send('DELETE', patientPath(id), { body: given ? { reason: given } : undefined, ifMatch: etag });
    },

    /** Every version, newest first (clinicians and admins; our API only). */
    async history(id: PatientKey, signal?: AbortSignal): Promise<HistoryEntry[]> {
      const value = await json('GET', `${patientPath(id)}/history`, { signal });
      if (!Array.isArray(value)) throw unreadable();
      return value.map(parseHistoryEntry);
    },
  };
}

export type PatientService = ReturnType<typeof createPatientService>;

/** The instance the app uses. */
export const patientService = createPatientService();
