/**
 * Possible duplicate patients (our API): the check of a new patient against the registry
 * before it is registered, the pairs the server's background check found, and what staff
 * decide about a pair (two different people, or one record merged into the other).
 */
import { apiErrorFromBody } from './errors';
import { createHttp, isRecord, unreadable, type HttpOptions } from './http';
import { parsePatient } from './patientService';
import { numberOrNull, pageParams, parsePageOf } from './read';
import type { DuplicatePage, DuplicatePair, MergeValues, Patient, PatientInput, PatientKey, PatientMatch } from './types';

/** The grades that hold a registration until the user has seen the matches. */
const WARNING_GRADES: readonly string[] = ['certain', 'probable'];

export const isWarning = (match: { grade: string }) => WARNING_GRADES.includes(match.grade);

function reasons(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((reason): reason is string => typeof reason === 'string') : [];
}

/** The score, grade and reasons every match and pair carries. */
function likeness(value: Record<string, unknown>) {
  return {
    score: numberOrNull(value.score) ?? 0,
    grade: typeof value.grade === 'string' ? value.grade : '',
    reasons: reasons(value.reasons),
  };
}

export function parseMatch(value: unknown): PatientMatch {
  if (!isRecord(value)) throw unreadable();
  return { patient: parsePatient(value.patient), ...likeness(value) };
}

export function parsePair(value: unknown): DuplicatePair {
  if (!isRecord(value)) throw unreadable();
  return { a: parsePatient(value.a), b: parsePatient(value.b), ...likeness(value) };
}

export function createDuplicateService(options: HttpOptions = {}) {
  // Patient routes: a 404 is "that patient was not found", field errors name the form's fields.
  const { send, json, withHeaders } = createHttp(options, apiErrorFromBody);

  return {
    /** Registered patients like `candidate`, best first (at most 10, none below "possible"). */
    async match(candidate: PatientInput, signal?: AbortSignal): Promise<PatientMatch[]> {
      const value = await json('POST', '/patients/match', { body: candidate, signal });
      if (!Array.isArray(value)) throw unreadable();
      return value.map(parseMatch);
    },

    /** One page of the probable and certain pairs, highest score first (clinicians and admins). */
    async listPage(page: number, perPage: number, signal?: AbortSignal): Promise<DuplicatePage> {
      const query = pageParams(page, perPage).toString();
      const { body, headers } = await withHeaders('GET', `/duplicates?${query}`, { signal });
      const pending = Number(headers.get('X-Duplicates-Pending') ?? 0);
      return { ...parsePageOf(body, parsePair), pending: Number.isFinite(pending) ? pending : 0 };
    },

    /** Two different people: the pair is never listed again. */
    async markDistinct(a: PatientKey, b: PatientKey): Promise<void> {
      await send('POST', '/duplicates/not-duplicate', { body: { a, b } });
    },

    /**
     * Keeps `keep`, with `values` applied to it (admins only); `remove` is deleted, pointing to
     * `keep`. Answers the kept record.
     */
    async merge(keep: PatientKey, remove: PatientKey, values: MergeValues = {}): Promise<Patient> {
      // Sent only when there are some: nothing to apply is no values, not an empty change.
      const body = Object.keys(values).length ? { keep, remove, values } : { keep, remove };
      return parsePatient(await json('POST', '/duplicates/merge', { body }));
    },
  };
}

export type DuplicateService = ReturnType<typeof createDuplicateService>;

export const duplicateService = createDuplicateService();
