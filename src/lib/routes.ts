import type { PatientKey } from './api/types';

/**
 * The page's places, kept in the URL's hash so the server needs no route for them and the
 * browser's Back works: one patient's record, the admin's Activity and Deleted patients
 * pages, the Possible duplicates page; any other hash names a section of the registry
 * (`#patients`).
 */
export type Route =
  | { page: 'registry'; section: string }
  | { page: 'patient'; id: string }
  | { page: 'activity' }
  | { page: 'deleted-patients' }
  | { page: 'duplicates' };

export const ACTIVITY_HREF = '#activity';
export const DELETED_PATIENTS_HREF = '#deleted-patients';
export const DUPLICATES_HREF = '#duplicates';
/** Where "back to the list" leads. */
export const PATIENT_LIST_HREF = '#patients';

export function patientHref(id: PatientKey): string {
  return `#patient/${encodeURIComponent(String(id))}`;
}

function decoded(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // a malformed escape typed into the address bar
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const patient = /^patient\/(.+)$/.exec(path);
  const id = patient?.[1] === undefined ? null : decoded(patient[1]);
  if (id) return { page: 'patient', id };
  if (path === 'activity' || path === 'deleted-patients' || path === 'duplicates') return { page: path };
  return { page: 'registry', section: path };
}
