import type { Patient, PatientField } from '../../lib/api/types';
import { FIELD_LABELS } from '../../lib/api/types';

export interface Column {
  field: PatientField;
  label: string;
}

/** Table columns, in reading order; every one is sortable on the server. */
export const COLUMNS: readonly Column[] = (
  ['patientID', 'name', 'age', 'gender', 'medicalCondition', 'lastVisit'] as const
).map((field) => ({ field, label: FIELD_LABELS[field] }));

/** The columns of the fields a role may see. */
export function columnsFor(fields: readonly PatientField[]): readonly Column[] {
  return COLUMNS.filter(({ field }) => fields.includes(field));
}

/** A field as its cell shows it; a missing age is a dash. */
export function cellText(patient: Patient, field: PatientField): string {
  const value = patient[field];
  return value === null ? '—' : String(value);
}

/** "Ann Lee (P001)": how notices and button names refer to a patient. */
export const describePatient = (patient: Patient) => `${patient.name} (${patient.patientID})`;
