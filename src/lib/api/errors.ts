import { FIELD_LABELS, PATIENT_FIELDS, type FieldErrors, type PatientField } from './types';

/**
 * A failed API call, already put into plain words for the screen.
 * `status` is the HTTP status, or 0 when the server could not be reached.
 */
export class ApiError extends Error {
  readonly status: number;
  /** Patient form fields only (patient routes). */
  readonly fieldErrors: FieldErrors;
  /** Every field the server named, by wire name, its message as sent (staff and password forms). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(
    message: string,
    status: number,
    fieldErrors: FieldErrors = {},
    fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.fields = fields;
  }
}

export const NETWORK_ERROR_MESSAGE =
  'Cannot reach the patient registry server. Check the connection and try again.';

const DUPLICATE_ID_MESSAGE = 'A patient with this patient ID already exists.';

/** Used when the body says nothing useful (json-server sends plain "Not Found", etc.). */
export function messageForStatus(status: number): string {
  if (status === 400) return 'Some entries were not accepted. Please check them and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'Your role does not allow this.';
  if (status === 404) return 'That patient was not found. It may have been deleted.';
  if (status === 409) return DUPLICATE_ID_MESSAGE;
  if (status === 412) return 'This patient was changed by someone else. Reload it and try again.';
  if (status === 413) return 'The request was too large for the server.';
  if (status === 429) return 'Too many attempts. Please wait a moment and try again.';
  if (status === 503) return 'The patient database is unavailable right now. Please try again in a moment.';
  if (status >= 500) return 'The server had a problem. Please try again in a moment.';
  return `The server refused the request (status ${status}).`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asPatientField(name: string): PatientField | undefined {
  return PATIENT_FIELDS.find((field) => field === name);
}

/**
 * Our API says "is already used by another patient"; the screen says whose field it is:
 * a message starting in lower case gets the field's label in front.
 */
export function asSentence(label: string, message: string): string {
  const text = message.trim();
  if (!/^[a-z]/.test(text)) return text;
  return `${label} ${text}${text.endsWith('.') ? '' : '.'}`;
}

/** The last part of a field name: "body.lastVisit" is "lastVisit". */
function wireName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  return name.split('.').pop() || undefined;
}

/** Every `{"field", "message"}` of the body, the first message per field. */
function fieldsFrom(body: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const entry of errors) {
    if (!isRecord(entry) || typeof entry.message !== 'string') continue;
    const field = wireName(entry.field);
    if (field && result[field] === undefined) result[field] = entry.message;
  }
  return result;
}

function fieldErrorsFrom(body: Record<string, unknown>): FieldErrors {
  const result: FieldErrors = {};
  for (const [name, message] of Object.entries(fieldsFrom(body))) {
    const field = asPatientField(name);
    if (field) result[field] = asSentence(FIELD_LABELS[field], message);
  }
  return result;
}

function parseBody(bodyText: string): unknown {
  try {
    return JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
}

function detailOf(body: unknown): string {
  return isRecord(body) && typeof body.detail === 'string' ? body.detail.trim() : '';
}

/**
 * The error of any non-patient route (sign-in, password, staff accounts): the server's
 * sentence, and its field messages by wire name.
 */
export function apiErrorFromAnyBody(status: number, bodyText: string): ApiError {
  const body = parseBody(bodyText);
  const fields = isRecord(body) ? fieldsFrom(body) : {};
  return new ApiError(detailOf(body) || messageForStatus(status), status, {}, fields);
}

/**
 * Turns an error body into an ApiError. Our API sends
 * `{"detail": "...", "errors": [{"field", "message"}]}`; json-server and proxies send
 * other shapes (text, HTML, FastAPI's list-valued detail), which fall back to a plain
 * message chosen by status.
 */
export function apiErrorFromBody(status: number, bodyText: string): ApiError {
  const body = parseBody(bodyText);
  const detail = detailOf(body);
  const fieldErrors = isRecord(body) ? fieldErrorsFrom(body) : {};
  // The contract: 409 always means the patientID is taken.
  if (status === 409 && Object.keys(fieldErrors).length === 0) {
    fieldErrors.patientID = detail || DUPLICATE_ID_MESSAGE;
  }
  return new ApiError(detail || messageForStatus(status), status, fieldErrors, isRecord(body) ? fieldsFrom(body) : {});
}

/** Anything thrown by a call, as an ApiError (unknown failures get a neutral message). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('Something went wrong. Please try again.', 0);
}
