import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { duplicateService, isWarning } from '../../lib/api/duplicateService';
import { toApiError } from '../../lib/api/errors';
import { patientService } from '../../lib/api/patientService';
import type { PatientInput, PatientKey } from '../../lib/api/types';
import { EMPTY_FORM, toPatientInput, type PatientFormValues } from '../../lib/validation';
import { DuplicateWarning, type DuplicateCheck } from '../duplicates/DuplicateWarning';
import { usePatientAccess } from './access';
import { fieldId } from './PatientFields';
import { PatientForm } from './PatientForm';

interface RegisterPatientProps {
  /** Tells the rest of the page that the registry changed. */
  onRegistered: () => void;
}

/** The probable and certain matches of `input`, the failure of the check, or null: register at once. */
async function checkForDuplicates(input: PatientInput): Promise<DuplicateCheck | null> {
  try {
    const matches = (await duplicateService.match(input)).filter(isWarning);
    return matches.length ? { matches } : null;
  } catch (caught) {
    return { error: toApiError(caught).message };
  }
}

/**
 * Registers a patient after asking the server whether they may be registered already
 * (POST /patients/match). Probable or certain matches hold the registration: they are shown
 * instead of the form (its entries kept) until the user opens one, goes back to the form, or
 * registers anyway. A "possible" match alone is no reason to stop anyone.
 */
export function RegisterPatient({ onRegistered }: RegisterPatientProps) {
  const [success, setSuccess] = useState('');
  const [held, setHeld] = useState<{ values: PatientFormValues; check: DuplicateCheck } | null>(null);
  const { fields } = usePatientAccess();
  const formArea = useRef<HTMLDivElement>(null);
  /** Set by "Register anyway": the next submit skips the check, naming the matches shown (if any). */
  const registerDespite = useRef<PatientKey[] | null>(null);

  async function register(values: PatientFormValues) {
    setSuccess('');
    const input = toPatientInput(values, fields);
    const despite = registerDespite.current;
    registerDespite.current = null;
    if (despite === null) {
      const check = await checkForDuplicates(input);
      if (check) {
        setHeld({ values, check });
        return false;
      }
    }
    const created = await patientService.create(input, despite ?? []);
    setSuccess(`Registered ${created.name} with patient ID ${created.patientID}.`);
    onRegistered();
  }

  function registerAnyway() {
    if (!held) return;
    registerDespite.current = 'matches' in held.check ? held.check.matches.map((match) => match.patient.id) : [];
    flushSync(() => setHeld(null));
    // Through the form's own submit: its checks, its "Registering…", and a refusal shown at the fields.
    formArea.current?.querySelector('form')?.requestSubmit();
  }

  function backToForm() {
    flushSync(() => setHeld(null));
    document.getElementById(fieldId('register', 'patientID'))?.focus();
  }

  return (
    <>
      {/* Always in the page, so screen readers announce the text when it appears. */}
      <div role="status" className={success ? 'message message--success' : 'message-slot'}>
        {success}
      </div>
      {held && (
        <DuplicateWarning entered={held.values} check={held.check} onRegisterAnyway={registerAnyway} onBack={backToForm} />
      )}
      {/* Hidden, not gone, under the warning: the entries stay for "Back to the form". */}
      <div ref={formArea} hidden={held !== null}>
        <PatientForm
          idPrefix="register"
          initialValues={EMPTY_FORM}
          submitLabel="Register patient"
          sendingLabel="Registering…"
          onSubmit={register}
          resetOnSuccess
        />
      </div>
    </>
  );
}
