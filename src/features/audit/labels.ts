import { AUDIT_ACTIONS, AUDIT_ACTION_LABELS, FIELD_LABELS, PATIENT_FIELDS, type AuditAction } from '../../lib/api/types';

function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** "Updated" for "update"; an action this page does not know, as the server named it. */
export function actionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTION_LABELS[action] : action;
}

/** "Medical condition" for "medicalCondition"; another field by its wire name. */
export function fieldLabel(field: string): string {
  const known = PATIENT_FIELDS.find((name) => name === field);
  return known ? FIELD_LABELS[known] : field;
}

/** An answer's HTTP status in words, the number kept for whoever needs it. */
export function outcomeText(status: number | null): string {
  if (status === null) return '—';
  if (status < 400) return `Succeeded (${status})`;
  if (status === 401 || status === 403) return `Refused (${status})`;
  if (status === 404) return `Not found (${status})`;
  if (status < 500) return `Rejected (${status})`;
  return `Failed (${status})`;
}

/** Who did it; nobody signed in (the import, a failed sign-in's unknown name) is a dash. */
export const userText = (username: string | null) => username ?? '—';
