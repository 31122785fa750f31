import { ROLES, ROLE_LABELS, type Role } from '../../lib/api/types';

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** "Clinician" for "clinician"; an unknown role as the server named it. */
export function roleLabel(role: string): string {
  return isRole(role) ? ROLE_LABELS[role] : role;
}

export const canManageStaff = (role: string): boolean => role === 'admin';

/** A patient's versions (GET /patients/{id}/history): what changed, when and by whom. */
export const canViewHistory = (role: string): boolean => role === 'admin' || role === 'clinician';

/** The audit trail (Activity, a record's access log) and the deleted records (restore, purge). */
export const canAudit = (role: string): boolean => role === 'admin';

/** The Possible duplicates page (GET /duplicates), and marking a pair as two people. */
export const canReviewDuplicates = (role: string): boolean => role === 'admin' || role === 'clinician';

/** Merging one record into another (POST /duplicates/merge). */
export const canMerge = (role: string): boolean => role === 'admin';
