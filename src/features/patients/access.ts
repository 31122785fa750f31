import { createContext, useContext } from 'react';
import { PATIENT_FIELDS, type PatientField } from '../../lib/api/types';

/** What the signed-in role may see and do with patients. */
export interface PatientAccess {
  /** The fields shown in lists and forms, and the only ones ever sent. */
  fields: readonly PatientField[];
  canDelete: boolean;
}

export const FULL_ACCESS: PatientAccess = { fields: PATIENT_FIELDS, canDelete: true };

/** A receptionist registers and edits demographics only: no medical condition, no delete. */
const DEMOGRAPHICS_ONLY: PatientAccess = {
  fields: PATIENT_FIELDS.filter((field) => field !== 'medicalCondition'),
  canDelete: false,
};

/** Clinicians and admins see everything; any other role (or an unknown one) the least. */
export function patientAccessFor(role: string): PatientAccess {
  return role === 'admin' || role === 'clinician' ? FULL_ACCESS : DEMOGRAPHICS_ONLY;
}

/** Without a provider (component tests), full access. */
export const PatientAccessContext = createContext<PatientAccess>(FULL_ACCESS);

export function usePatientAccess(): PatientAccess {
  return useContext(PatientAccessContext);
}
