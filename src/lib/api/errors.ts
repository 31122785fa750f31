import { FIELD_LABELS, PATIENT_FIELDS, type FieldErrors, type PatientField } from './types';

/**
 * A failed API call, already put into plain words for the screen.
 * `status` is the HTTP status, or 0 when the server could not be reached.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldErrors;

  constructor(message: string, status: number, fieldErrors: FieldErrors = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
  }
}

export const NETWORK_ERROR_MESSAGE =
  'Cannot reach the patient registry server. Check the connection and try again.';

const DUPLICATE_ID_MESSAGE = 'A patient with this patient ID already exists.';

/** Used when the body says nothing useful (json-server sends plain "Not Found", etc.). */
export function messageForStatus(status: number): string {
  if (status === 400) return 'Some entries were not accepted. Please check them and try again.';
  if (status === 404) return 'That patient was not found. It may have been deleted.';
  if (status === 409) return DUPLICATE_ID_MESSAGE;
  if (status === 413) return 'The request was too large for the server.';
  if (status === 503) return 'The patient database is unavailable right now. Please try again in a moment.';
  if (status >= 500) return 'The server had a problem. Please try again in a moment.';
  return `The server refused the request (status ${status}).`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPatientField(name: unknown): PatientField | undefined {
  if (typeof name !== 'string') return undefined;
  // Accept "lastVisit" as well as a dotted path such as "body.lastVisit".
  const last = name.split('.').pop() ?? '';
  return PATIENT_FIELDS.find((field) => field === last);
}

/** Our API says "is already used by another patient"; the screen says whose field it is. */
function asSentence(field: PatientField, message: string): string {
  const text = message.trim();
  if (!/^[a-z]/.test(text)) return text;
  return `${FIELD_LABELS[field]} ${text}${text.endsWith('.') ? '' : '.'}`;
}

function fieldErrorsFrom(body: Record<string, unknown>): FieldErrors {
  const result: FieldErrors = {};
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const entry of errors) {
    if (!isRecord(entry) || typeof entry.message !== 'string') continue;
    const field = asPatientField(entry.field);
    if (field && result[field] === undefined) result[field] = asSentence(field, entry.message);
  }
  return result;
}

/**
 * Turns an error body into an ApiError. Our API sends
 * `{"detail": "...", "errors": [{"field", "message"}]}`; json-server and proxies send
 * other shapes (text, HTML, FastAPI's list-valued detail), which fall back to a plain
 * message chosen by status.
 */
export function apiErrorFromBody(status: number, bodyText: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const detail = isRecord(body) && typeof body.detail === 'string' ? body.detail.trim() : '';
  const fieldErrors = isRecord(body) ? fieldErrorsFrom(body) : {};
  // The contract: 409 always means the patientID is taken.
  if (status === 409 && Object.keys(fieldErrors).length === 0) {
    fieldErrors.patientID = detail || DUPLICATE_ID_MESSAGE;
  }
  return new ApiError(detail || messageForStatus(status), status, fieldErrors);
}

/** Anything thrown by a call, as an ApiError (unknown failures get a neutral message). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('Something went wrong. Please try again.', 0);
}
