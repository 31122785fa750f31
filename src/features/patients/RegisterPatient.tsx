import { useState } from 'react';
import { patientService } from '../../lib/api/patientService';
import { EMPTY_FORM, toPatientInput, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';
import { PatientForm } from './PatientForm';

interface RegisterPatientProps {
  /** Tells the rest of the page that the registry changed. */
  onRegistered: () => void;
}

export function RegisterPatient({ onRegistered }: RegisterPatientProps) {
  const [success, setSuccess] = useState('');
  const { fields } = usePatientAccess();

  async function register(values: PatientFormValues) {
    setSuccess('');
    const created = await patientService.create(toPatientInput(values, fields));
    setSuccess(`Registered ${created.name} with patient ID ${created.patientID}.`);
    onRegistered();
  }

  return (
    <>
      {/* Always in the page, so screen readers announce the text when it appears. */}
      <div role="status" className={success ? 'message message--success' : 'message-slot'}>
        {success}
      </div>
      <PatientForm
        idPrefix="register"
        initialValues={EMPTY_FORM}
        submitLabel="Register patient"
        sendingLabel="Registering…"
        onSubmit={register}
        resetOnSuccess
      />
    </>
  );
}
