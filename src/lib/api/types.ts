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

/** The `_page` envelope of json-server 1.0.0-beta.3, which our API reproduces. */
export interface PatientPage {
  first: number;
  prev: number | null;
  next: number | null;
  last: number;
  pages: number;
  /** Total number of matching patients, across all pages. */
  items: number;
  data: Patient[];
}

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
