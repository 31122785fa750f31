import { asSentence, type ApiError } from '../../lib/api/errors';

/** The message under each field, from the server's field errors (by wire name). */
export function fieldMessages<F extends string>(error: ApiError, labels: Record<F, string>): Partial<Record<F, string>> {
  const found: Partial<Record<F, string>> = {};
  for (const field of Object.keys(labels) as F[]) {
    const message = error.fields[field];
    if (message) found[field] = asSentence(labels[field], message);
  }
  return found;
}

export const TEMPORARY_PASSWORD_HINT =
  'At least 12 characters, not the username, not a common password. The person chooses their own at first sign-in.';
