import { useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { toApiError } from '../../lib/api/errors';
import { PATIENT_FIELDS, type FieldErrors, type PatientField } from '../../lib/api/types';
import { validatePatient, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';
import { PatientFields, fieldId } from './PatientFields';

interface PatientFormProps {
  idPrefix: string;
  initialValues: PatientFormValues;
  submitLabel: string;
  sendingLabel: string;
  /** Sends the values; throws an ApiError when the server refuses them. */
  onSubmit: (values: PatientFormValues) => Promise<void>;
  /** Empty the inputs after a successful submit (registration), keep them otherwise. */
  resetOnSuccess?: boolean;
  /** Shows a Cancel button; Escape anywhere in the form does the same (nothing is saved). */
  onCancel?: () => void;
  /** Put the cursor in the first input when the form appears (inline edit). */
  focusOnMount?: boolean;
}

function firstInvalid(errors: FieldErrors): PatientField | undefined {
  return PATIENT_FIELDS.find((field) => errors[field] !== undefined);
}

function summary(errors: FieldErrors): string {
  const count = Object.keys(errors).length;
  return count === 1
    ? 'Please correct the entry marked below.'
    : `Please correct the ${count} entries marked below.`;
}

/**
 * Checks the clinic's rules before sending, then shows the server's answer next to the
 * right field (400 field errors, 409 duplicate patient ID) with a summary in an alert.
 */
export function PatientForm(props: PatientFormProps) {
  const { idPrefix, initialValues, submitLabel, sendingLabel, onSubmit, onCancel } = props;
  const { fields } = usePatientAccess();
  const [values, setValues] = useState(initialValues);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  // Focus moves after React has rendered the error texts the input points to.
  const [focusRequest, setFocusRequest] = useState<{ field: PatientField } | null>(
    props.focusOnMount ? { field: 'patientID' } : null,
  );

  useEffect(() => {
    if (focusRequest) document.getElementById(fieldId(idPrefix, focusRequest.field))?.focus();
  }, [focusRequest, idPrefix]);

  function change(field: PatientField, value: string) {
    setValues((previous) => ({ ...previous, [field]: value }));
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  }

  function showErrors(found: FieldErrors, message: string) {
    setErrors(found);
    setFormError(message);
    const field = firstInvalid(found);
    if (field) setFocusRequest({ field });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found = validatePatient(values, undefined, fields);
    if (firstInvalid(found)) {
      showErrors(found, summary(found));
      return;
    }
    setErrors({});
    setFormError(null);
    setSending(true);
    try {
      await onSubmit(values);
      if (props.resetOnSuccess) {
        setValues(initialValues);
        setFocusRequest({ field: 'patientID' });
      }
    } catch (error) {
      const apiError = toApiError(error);
      showErrors(apiError.fieldErrors, apiError.message);
    } finally {
      setSending(false);
    }
  }

  function escape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Escape' || !onCancel || sending || event.defaultPrevented) return;
    event.preventDefault();
    onCancel();
  }

  return (
    <form className="patient-form" noValidate onSubmit={submit} onKeyDown={escape} aria-busy={sending}>
      {formError && (
        <p role="alert" className="message message--error">
          {formError}
        </p>
      )}
      <PatientFields idPrefix={idPrefix} values={values} errors={errors} onChange={change} />
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={sending}>
          {sending ? sendingLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
