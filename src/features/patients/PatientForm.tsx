import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useFieldForm } from '../../hooks/useFieldForm';
import { toApiError } from '../../lib/api/errors';
import { PATIENT_FIELDS, type FieldErrors, type PatientField } from '../../lib/api/types';
import { validatePatient, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';
import { PatientFields } from './PatientFields';

interface PatientFormProps {
  idPrefix: string;
  initialValues: PatientFormValues;
  submitLabel: string;
  sendingLabel: string;
  /**
   * Sends the values; throws an ApiError when the server refuses them. Resolves to false when
   * nothing was sent yet (a step outside the form comes first): the entries stay, even with
   * resetOnSuccess. (`unknown`: the edit form's save resolves to nothing in particular.)
   */
  onSubmit: (values: PatientFormValues) => Promise<unknown>;
  /** Empty the inputs after a successful submit (registration), keep them otherwise. */
  resetOnSuccess?: boolean;
  /** Shows a Cancel button; Escape anywhere in the form does the same (nothing is saved). */
  onCancel?: () => void;
  /** Put the cursor in the first input when the form appears (inline edit). */
  focusOnMount?: boolean;
  /** Shown above the inputs (the edit form's conflict with a version saved meanwhile). */
  notice?: ReactNode;
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
  const form = useFieldForm({
    fields: PATIENT_FIELDS,
    idPrefix,
    initialValues,
    focusOnMount: props.focusOnMount ? 'patientID' : undefined,
  });
  const { values, problems: errors, error: formError } = form;
  const [sending, setSending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found = validatePatient(values, undefined, fields);
    if (firstInvalid(found)) {
      form.showProblems(found, summary(found));
      return;
    }
    form.clearProblems();
    setSending(true);
    try {
      const sent = await onSubmit(values);
      if (props.resetOnSuccess && sent !== false) form.reset(initialValues, 'patientID');
    } catch (error) {
      const apiError = toApiError(error);
      form.showProblems(apiError.fieldErrors, apiError.message);
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
      {props.notice}
      <PatientFields idPrefix={idPrefix} values={values} errors={errors} onChange={form.change} />
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
