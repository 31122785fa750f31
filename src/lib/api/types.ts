/** The wire format of the patient API (json-server compatible, camelCase). */

/** A number on our API, a short hex string (e.g. "3e3a") on json-server: never do arithmetic on it. */
export type PatientKey = string | number;

export const GENDERS = ['Male', 'Female', 'Other'] as const;
export type Gender = (typeof GENDERS)[number];

export interface Patient {
  id: PatientKey;
  patientID: string;
  name: string;
  /** null only for legacy json-server records that lack a usable age. */
  age: number | null;
  gender: string;
  medicalCondition: string;
  /** YYYY-MM-DD */
  lastVisit: string;
}

/** Body of POST /patients. */
export interface PatientInput {
  patientID: string;
  name: string;
  age: number;
  gender: Gender;
  /** Never sent by a receptionist (the server answers 403; it stores "Not recorded"). */
  medicalCondition?: string;
  lastVisit: string;
}

/** Body of PATCH /patients/{id}: only the fields that change. */
export type PatientPatch = Partial<PatientInput>;

/** One version of a record, as GET or PATCH /patients/{id} answered it. */
export interface PatientVersion {
  patient: Patient;
  /** Its ETag (`"3"`), sent back as If-Match with a change; null from a server without (json-server). */
  etag: string | null;
}

export type PatientField = keyof Required<PatientInput>;

export const PATIENT_FIELDS: readonly PatientField[] = [
  'patientID',
  'name',
  'age',
  'gender',
  'medicalCondition',
  'lastVisit',
];

export type SortDirection = 'ascending' | 'descending';

export interface Sort {
  field: PatientField;
  direction: SortDirection;
}

export interface PageQuery {
  page: number;
  perPage: number;
  sort?: Sort | null;
  /** Free-text search over name and condition (`q=`); our API only. */
  search?: string;
}

/** The `_page` envelope of json-server 1.0.0-beta.3, which our API reproduces (also for its own lists). */
export interface Page<T> {
  first: number;
  prev: number | null;
  next: number | null;
  last: number;
  pages: number;
  /** Total number of matching items, across all pages. */
  items: number;
  data: T[];
}

export type PatientPage = Page<Patient>;

/** One plain-language message per form field. */
export type FieldErrors = Partial<Record<PatientField, string>>;

/** What staff see as each field's name: form labels and server messages use the same words. */
export const FIELD_LABELS: Record<PatientField, string> = {
  patientID: 'Patient ID',
  name: 'Name',
  age: 'Age',
  gender: 'Gender',
  medicalCondition: 'Medical condition',
  lastVisit: 'Last visit',
};

/** Staff roles, as the server names them. */
export const ROLES = ['admin', 'clinician', 'receptionist'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Admin',
  clinician: 'Clinician',
  receptionist: 'Receptionist',
};

/** GET /auth/me (POST /auth/login answers the same without idleTimeoutSeconds). */
export interface CurrentUser {
  username: string;
  /** A Role; kept as sent so an unknown one is shown, and given no rights. */
  role: string;
  mustChangePassword: boolean;
  /** The server ends a session idle this long; the page signs out after the same time. */
  idleTimeoutSeconds: number;
}

/** One entry of GET /users (admins only). */
export interface StaffAccount {
  id: string | number;
  username: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
}

/** Body of POST /users: the password is temporary, changed at first sign-in. */
export interface NewStaffAccount {
  username: string;
  role: Role;
  password: string;
}

/** Body of PATCH /users/{id}: any of these. */
export interface StaffAccountPatch {
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** A soft-deleted patient, as GET /deleted-patients lists it (admins only). */
export interface DeletedPatient extends Patient {
  deletedAt: string;
  deletedBy: string | null;
  deleteReason: string | null;
  /** The record it was merged into (a possible duplicate); null for an ordinary delete. */
  mergedInto: PatientKey | null;
}

/** How alike two records are, most alike first; the server lists nothing below "possible". */
export const MATCH_GRADES = ['certain', 'probable', 'possible'] as const;
export type MatchGrade = (typeof MATCH_GRADES)[number];

export const MATCH_GRADE_LABELS: Record<MatchGrade, string> = {
  certain: 'Certain',
  probable: 'Probable',
  possible: 'Possible',
};

/** One answer of POST /patients/match: a registered patient like the candidate, and why. */
export interface PatientMatch {
  patient: Patient;
  /** 0 to 1. */
  score: number;
  /** One of MATCH_GRADES; kept as sent, so an unknown one is shown and never taken for a warning. */
  grade: string;
  /** "same name", "age one year apart", …, in the server's words. */
  reasons: string[];
}

/** One entry of GET /duplicates: two records that may be the same person (`a.id < b.id`). */
export interface DuplicatePair {
  a: Patient;
  b: Patient;
  score: number;
  grade: string;
  reasons: string[];
}

/** A page of GET /duplicates, with the X-Duplicates-Pending header beside it. */
export interface DuplicatePage extends Page<DuplicatePair> {
  /** Patients the background check has not compared yet (0 when up to date). */
  pending: number;
}

/** The values an admin chose for the kept record of a merge: any field but patientID. */
export type MergeValues = Omit<PatientPatch, 'patientID'>;

/** A value as a patient version holds it (null: the field had none, as before a create). */
export type FieldValue = string | number | null;

/** One field of a patient version, by wire name. */
export interface FieldChange {
  field: string;
  from: FieldValue;
  to: FieldValue;
}

/** One version of a patient (GET /patients/{id}/history), newest first. */
export interface HistoryEntry {
  version: number;
  /** ISO date-time, UTC. */
  at: string;
  /** null when no signed-in user wrote it (the import). */
  username: string | null;
  /** One of HISTORY_ACTIONS; kept as sent so an unknown one is shown as it is. */
  action: string;
  /** Every field for a create or import; none for a delete or restore. */
  changes: FieldChange[];
}

/** What the audit trail records, as the server names it. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'read',
  'search',
  'create',
  'update',
  'delete',
  'restore',
  'purge',
  'export',
  'import',
  'user_admin',
  'audit_view',
  'history',
  'merge',
  'mark_distinct',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The same words for an audit event's action and a patient version's (create … import). */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  login: 'Signed in',
  login_failed: 'Sign-in refused',
  logout: 'Signed out',
  read: 'Read',
  search: 'Searched',
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
  restore: 'Restored',
  purge: 'Purged',
  export: 'Exported',
  import: 'Imported',
  user_admin: 'Staff account change',
  audit_view: 'Viewed the audit trail',
  history: 'Viewed a history',
  merge: 'Merged',
  mark_distinct: 'Marked not a duplicate',
};

/** One event of GET /audit (admins only). Never names or conditions: ids only. */
export interface AuditEvent {
  id: number;
  /** ISO date-time, UTC. */
  at: string;
  username: string | null;
  role: string | null;
  /** The client's address. */
  client: string | null;
  /** One of AUDIT_ACTIONS; kept as sent. */
  action: string;
  /** The HTTP status of the answer. */
  outcome: number | null;
  /** null for a bulk list, which may have included any patient. */
  patientIds: PatientKey[] | null;
  rowCount: number | null;
  /** A list answer of more than 1,000 rows: its patient ids were not recorded one by one. */
  bulk: boolean;
  query: string | null;
  detail: string | null;
}

/** The filters of GET /audit and /audit/export; an empty string means "any". */
export interface AuditFilters {
  /** The record's `id`, not the clinic's patientID. */
  patientId: string;
  username: string;
  action: string;
  /** ISO date (a whole UTC day on the server) or date-time; both ends included. */
  from: string;
  to: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { patientId: '', username: '', action: '', from: '', to: '' };
