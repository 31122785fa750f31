/**
 * The only module that talks HTTP. It speaks nothing but the json-server
 * 1.0.0-beta.3 query language (`field=value`, `q`, `_page`/`_per_page`, `_sort`),
 * so the same build works against json-server and against our FastAPI back end.
 */
import { ApiError, NETWORK_ERROR_MESSAGE, apiErrorFromBody } from './errors';
import type {
  PageQuery,
  Patient,
  PatientInput,
  PatientKey,
  PatientPage,
  PatientPatch,
} from './types';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface PatientServiceOptions {
  /** Defaults to VITE_API_BASE_URL; empty means same origin. */
  baseUrl?: string;
  /** Defaults to the global fetch, looked up at call time (so tests can stub it). */
  fetch?: FetchLike;
}

const UNREADABLE = 'The server sent an answer this page cannot read.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
    throw new ApiError(UNREADABLE, 200);
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
  if (!Array.isArray(value)) throw new ApiError(UNREADABLE, 200);
  return value.map(parsePatient);
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function pageNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads the `_page` envelope; a plain array (a server without paging) becomes one page. */
export function parsePage(value: unknown): PatientPage {
  if (Array.isArray(value)) {
    const data = parsePatients(value);
    return { first: 1, prev: null, next: null, last: 1, pages: 1, items: data.length, data };
  }
  if (!isRecord(value)) throw new ApiError(UNREADABLE, 200);
  const data = parsePatients(value.data);
  const pages = count(value.pages, 1);
  return {
    first: count(value.first, 1),
    prev: pageNumber(value.prev),
    next: pageNumber(value.next),
    last: count(value.last, pages),
    pages,
    items: count(value.items, data.length),
    data,
  };
}

/** `?_page=2&_per_page=20&_sort=-name&q=diabetes` */
export function pageQueryString(query: PageQuery): string {
  const params = new URLSearchParams();
  params.set('_page', String(query.page));
  params.set('_per_page', String(query.perPage));
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

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function createPatientService(options: PatientServiceOptions = {}) {
  const baseUrl = (options.baseUrl ?? import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function send(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (isAbort(error)) throw error; // a cancelled request is not a failure to report
      throw new ApiError(NETWORK_ERROR_MESSAGE, 0);
    }
    if (!response.ok) throw apiErrorFromBody(response.status, await response.text());
    return response;
  }

  async function json(method: string, path: string, body?: unknown, signal?: AbortSignal) {
    const response = await send(method, path, body, signal);
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(UNREADABLE, response.status);
    }
  }

  return {
    /** One page of patients, optionally sorted and searched (`q`, our API only). */
    async listPage(query: PageQuery, signal?: AbortSignal): Promise<PatientPage> {
      return parsePage(await json('GET', `/patients?${pageQueryString(query)}`, undefined, signal));
    },

    /** Exact lookup by the clinic's patient ID, answered by the server (`?patientID=`). */
    async findByPatientId(patientID: string, signal?: AbortSignal): Promise<Patient[]> {
      const params = new URLSearchParams({ patientID });
      return parsePatients(await json('GET', `/patients?${params.toString()}`, undefined, signal));
    },

    async get(id: PatientKey, signal?: AbortSignal): Promise<Patient> {
      return parsePatient(await json('GET', patientPath(id), undefined, signal));
    },

    async create(input: PatientInput): Promise<Patient> {
      return parsePatient(await json('POST', '/patients', input));
    },

    async update(id: PatientKey, patch: PatientPatch): Promise<Patient> {
      return parsePatient(await json('PATCH', patientPath(id), patch));
    },

    async remove(id: PatientKey): Promise<void> {
      await send('DELETE', patientPath(id));
    },
  };
}

export type PatientService = ReturnType<typeof createPatientService>;

/** The instance the app uses. */
export const patientService = createPatientService();
