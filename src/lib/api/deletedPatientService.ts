/**
 * Soft-deleted patients (admins only, our API): GET /deleted-patients, restore, and purge
 * for good. Errors read as on the patient routes: a 409 on restore means the patient ID
 * was taken meanwhile, in the server's words.
 */
import { apiErrorFromBody } from './errors';
import { createHttp, isRecord, unreadable, type HttpOptions } from './http';
import { parsePatient } from './patientService';
import { pageParams, parsePageOf, textOrNull } from './read';
import type { DeletedPatient, Page, Patient, PatientKey } from './types';

export function parseDeletedPatient(value: unknown): DeletedPatient {
  if (!isRecord(value) || typeof value.deletedAt !== 'string') throw unreadable();
  return {
    ...parsePatient(value),
    deletedAt: value.deletedAt,
    deletedBy: textOrNull(value.deletedBy),
    deleteReason: textOrNull(value.deleteReason),
    mergedInto: typeof value.mergedInto === 'number' || typeof value.mergedInto === 'string' ? value.mergedInto : null,
  };
}

const deletedPath = (id: PatientKey) => `/deleted-patients/${encodeURIComponent(String(id))}`;

export function createDeletedPatientService(options: HttpOptions = {}) {
  const { send, json } = createHttp(options, apiErrorFromBody);

  return {
    async listPage(page: number, perPage: number, signal?: AbortSignal): Promise<Page<DeletedPatient>> {
      const query = pageParams(page, perPage).toString();
      return parsePageOf(await json('GET', `/deleted-patients?${query}`, { signal }), parseDeletedPatient);
    },

    /** Back in every list with the same id; 409 when its patient ID now belongs to another. */
    async restore(id: PatientKey): Promise<Patient> {
      return parsePatient(await json('POST', `${deletedPath(id)}/restore`));
    },

    /** Removes the data and its history for good (the audit trail keeps the ids); a reason is required. */
    async purge(id: PatientKey, reason: string): Promise<void> {
      await send('DELETE', deletedPath(id), { body: { reason } });
    },
  };
}

export type DeletedPatientService = ReturnType<typeof createDeletedPatientService>;

export const deletedPatientService = createDeletedPatientService();
