/**
 * The clinic's rules for a patient record, the same as the API's, the migration's and the
 * database's CHECK constraints (see shared design: "Validation"). The form checks them
 * first so staff get an answer without a round trip; the server remains the authority.
 */
import {
  GENDERS,
  PATIENT_FIELDS,
  type FieldErrors,
  type Gender,
  type Patient,
  type PatientField,
  type PatientInput,
  type PatientPatch,
} from './api/types';

export const LIMITS = {
  patientIDMax: 50,
  textMax: 255,
  ageMin: 1,
  ageMax: 150,
  /** A reason given for deleting or purging a patient. */
  reasonMax: 500,
} as const;

/** What the form holds: every input's raw text. */
export type PatientFormValues = Record<PatientField, string>;

export const EMPTY_FORM: PatientFormValues = {
  patientID: '',
  name: '',
  age: '',
  gender: '',
  medicalCondition: '',
  lastVisit: '',
};

/** Length in characters as Python counts them (code points), not UTF-16 units. */
function length(value: string): number {
  return [...value].length;
}

const isBlank = (value: string) => value.trim() === '';

export function validatePatientID(value: string): string | undefined {
  if (value === '') return 'Enter a patient ID.';
  if (isBlank(value) || value !== value.trim()) {
    return 'Patient ID must not start or end with a space.';
  }
  if (length(value) > LIMITS.patientIDMax) {
    return `Patient ID must be ${LIMITS.patientIDMax} characters or fewer.`;
  }
  return undefined;
}

export function validateName(value: string): string | undefined {
  if (isBlank(value)) return "Enter the patient's name.";
  if (length(value) > LIMITS.textMax) return `Name must be ${LIMITS.textMax} characters or fewer.`;
  return undefined;
}

export function validateAge(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return 'Enter the age.';
  if (!/^\d+$/.test(trimmed)) return 'Age must be a whole number.';
  const age = Number(trimmed);
  if (age < LIMITS.ageMin || age > LIMITS.ageMax) {
    return `Age must be between ${LIMITS.ageMin} and ${LIMITS.ageMax}.`;
  }
  return undefined;
}

export function isGender(value: string): value is Gender {
  return (GENDERS as readonly string[]).includes(value);
}

export function validateGender(value: string): string | undefined {
  if (value === '') return 'Choose a gender.';
  if (!isGender(value)) return 'Gender must be Male, Female or Other.';
  return undefined;
}

export function validateMedicalCondition(value: string): string | undefined {
  if (isBlank(value)) return 'Enter the medical condition.';
  if (length(value) > LIMITS.textMax) {
    return `Medical condition must be ${LIMITS.textMax} characters or fewer.`;
  }
  return undefined;
}

/** Why a patient is deleted (optional) or purged (required). */
export function validateReason(value: string, required: boolean): string | undefined {
  if (required && isBlank(value)) return 'Enter the reason.';
  if (length(value.trim()) > LIMITS.reasonMax) {
    return `The reason must be ${LIMITS.reasonMax} characters or fewer.`;
  }
  return undefined;
}

/** Today's date in the user's time zone, as YYYY-MM-DD. */
export function todayIso(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** True for a YYYY-MM-DD string naming a day that exists (no 2023-02-29). */
export function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

export function validateLastVisit(value: string, today: string = todayIso()): string | undefined {
  if (value === '') return 'Enter the date of the last visit.';
  if (!isRealDate(value)) return 'Enter a real date as YYYY-MM-DD.';
  // ISO dates compare correctly as strings.
  if (value > today) return 'The last visit cannot be in the future.';
  return undefined;
}

/**
 * Every rule at once, for the fields the form shows (a receptionist's form has no medical
 * condition); an empty object means the values are valid.
 */
export function validatePatient(
  values: PatientFormValues,
  today: string = todayIso(),
  fields: readonly PatientField[] = PATIENT_FIELDS,
): FieldErrors {
  const checks: Record<PatientField, () => string | undefined> = {
    patientID: () => validatePatientID(values.patientID),
    name: () => validateName(values.name),
    age: () => validateAge(values.age),
    gender: () => validateGender(values.gender),
    medicalCondition: () => validateMedicalCondition(values.medicalCondition),
    lastVisit: () => validateLastVisit(values.lastVisit, today),
  };
  const errors: FieldErrors = {};
  for (const field of PATIENT_FIELDS) {
    if (!fields.includes(field)) continue;
    const message = checks[field]();
    if (message) errors[field] = message;
  }
  return errors;
}

/** The request body for valid form values: only the given fields (never a hidden one). */
export function toPatientInput(
  values: PatientFormValues,
  fields: readonly PatientField[] = PATIENT_FIELDS,
): PatientInput {
  if (!isGender(values.gender)) throw new Error('toPatientInput needs validated values');
  const input: PatientInput = {
    patientID: values.patientID,
    name: values.name,
    age: Number(values.age.trim()),
    gender: values.gender,
    lastVisit: values.lastVisit,
  };
  if (fields.includes('medicalCondition')) input.medicalCondition = values.medicalCondition;
  return input;
}

export function patientToForm(patient: Patient): PatientFormValues {
  return {
    patientID: patient.patientID,
    name: patient.name,
    age: patient.age === null ? '' : String(patient.age),
    gender: patient.gender,
    medicalCondition: patient.medicalCondition,
    lastVisit: patient.lastVisit,
  };
}

/** Only the fields that differ (of those given), so PATCH merges exactly what staff changed. */
export function changedFields(
  before: PatientFormValues,
  after: PatientFormValues,
  fields: readonly PatientField[] = PATIENT_FIELDS,
): PatientPatch {
  const input = toPatientInput(after, fields);
  const patch: PatientPatch = {};
  for (const field of fields) {
    if (before[field] !== after[field]) Object.assign(patch, { [field]: input[field] });
  }
  return patch;
}
