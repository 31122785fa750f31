import type { PatientField } from '../../lib/api/types';
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
