import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { RowForm } from '../../components/RowForm';
import { duplicateService } from '../../lib/api/duplicateService';
import { toApiError } from '../../lib/api/errors';
import { FIELD_LABELS, PATIENT_FIELDS, type DuplicatePair, type MergeValues, type Patient, type PatientField } from '../../lib/api/types';
import { isGender } from '../../lib/validation';
import { usePatientAccess } from '../patients/access';
import { cellText, describePatient } from '../patients/columns';

type Side = 'a' | 'b';
type MergeField = Exclude<PatientField, 'patientID'>;

/** The removed record's patient ID stays reserved by it: never a choice. */
const MERGE_FIELDS = PATIENT_FIELDS.filter((field): field is MergeField => field !== 'patientID');

const otherSide = (side: Side): Side => (side === 'a' ? 'b' : 'a');
const record = (patient: Patient) => `record #${String(patient.id)}`;

/** A value the server would take for the kept record (legacy records may hold no age, or an odd gender). */
function sendable(patient: Patient, field: MergeField): boolean {
  if (field === 'age') return patient.age !== null;
  if (field === 'gender') return isGender(patient.gender);
  return true;
}

/** `fields` as `from` holds them, for the merge's `values`. */
function valuesFrom(from: Patient, fields: readonly MergeField[]): MergeValues {
  const values: MergeValues = {};
  for (const field of fields) {
    if (field === 'age') {
      if (from.age !== null) values.age = from.age;
    } else if (field === 'gender') {
      if (isGender(from.gender)) values.gender = from.gender;
    } else {
      values[field] = from[field];
    }
  }
  return values;
}

interface MergeFormProps {
  pair: DuplicatePair;
  /** After the server merged: the notice to show. */
  onMerged: (notice: string) => void;
  /** Closes the form; nothing is sent. */
  onCancel: () => void;
}

/**
 * Which record stays (the older one, `a`, unless the admin says otherwise) and, for each field
 * whose values differ, which value it keeps: its own unless the other is chosen. Only the
 * values taken from the other record are sent.
 */
export function MergeForm({ pair, onMerged, onCancel }: MergeFormProps) {
  const prefix = useId();
  const { fields } = usePatientAccess();
  const [keep, setKeep] = useState<Side>('a');
  /** The record each differing field's value comes from; unset: the kept one. */
  const [chosen, setChosen] = useState<Partial<Record<MergeField, Side>>>({});
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const firstChoice = useRef<HTMLInputElement>(null);

  const kept = pair[keep];
  const removed = pair[otherSide(keep)];
  const differing = MERGE_FIELDS.filter(
    (field) => fields.includes(field) && pair.a[field] !== pair.b[field] && sendable(pair.a, field) && sendable(pair.b, field),
  );
  const source = (field: MergeField): Side => chosen[field] ?? keep;

  // The opened form's first choice takes the focus.
  useEffect(() => {
    firstChoice.current?.focus();
  }, []);

  function keepSide(side: Side) {
    setKeep(side);
    setChosen({}); // each field starts again from the newly kept record's own value
  }

  async function merge(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    setSending(true);
    setError('');
    const taken = differing.filter((field) => source(field) !== keep);
    try {
      await duplicateService.merge(kept.id, removed.id, valuesFrom(removed, taken));
      onMerged(`Merged: patient #${String(kept.id)} kept, #${String(removed.id)} removed.`);
    } catch (caught) {
      setError(`Could not merge: ${toApiError(caught).message}`);
      setSending(false);
    }
  }

  function escape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Escape' || sending) return;
    event.preventDefault();
    onCancel();
  }

  return (
    <div className="merge">
      <RowForm
        sending={sending}
        submitLabel="Merge"
        sendingLabel="Merging…"
        danger
        onSubmit={merge}
        onKeyDown={escape}
        onCancel={onCancel}
      >
        <fieldset className="choice">
          <legend>Keep which record?</legend>
          {(['a', 'b'] as const).map((side) => (
            <label key={side}>
              <input
                type="radio"
                name={`${prefix}-keep`}
                ref={side === keep ? firstChoice : undefined}
                checked={keep === side}
                onChange={() => keepSide(side)}
              />{' '}
              Record #{String(pair[side].id)}: {describePatient(pair[side])}
              {side === 'a' && ', registered first'}
            </label>
          ))}
        </fieldset>
        {differing.map((field) => (
          <fieldset key={field} className="choice">
            <legend>{FIELD_LABELS[field]}</legend>
            {(['a', 'b'] as const).map((side) => (
              <label key={side}>
                <input
                  type="radio"
                  name={`${prefix}-${field}`}
                  checked={source(field) === side}
                  onChange={() => setChosen((previous) => ({ ...previous, [field]: side }))}
                />{' '}
                {cellText(pair[side], field) || '—'} ({record(pair[side])})
              </label>
            ))}
          </fieldset>
        ))}
        <p className="muted">
          {differing.length === 0 && 'The two records hold the same values. '}
          {`Record #${String(removed.id)} is deleted, pointing to record #${String(kept.id)}; `}
          {`its patient ID ${removed.patientID} stays reserved by it. An admin can restore it from Deleted patients.`}
        </p>
      </RowForm>
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
    </div>
  );
}
