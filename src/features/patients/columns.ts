import type { PatientField } from '../../lib/api/types';
import { FIELD_LABELS } from '../../lib/api/types';

/** Table columns, in reading order; every one is sortable on the server. */
export const COLUMNS: readonly { field: PatientField; label: string }[] = (
  ['patientID', 'name', 'age', 'gender', 'medicalCondition', 'lastVisit'] as const
).map((field) => ({ field, label: FIELD_LABELS[field] }));
