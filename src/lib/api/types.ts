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
  medicalCondition: string;
  lastVisit: string;
}

/** Body of PATCH /patients/{id}: only the fields that change. */
export type PatientPatch = Partial<PatientInput>;

export type PatientField = keyof PatientInput;

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
