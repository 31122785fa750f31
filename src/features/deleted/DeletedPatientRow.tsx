import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { ActionsCell } from '../../components/DataTable';
import { DateTime } from '../../components/DateTime';
import { ReasonField } from '../../components/ReasonField';
import { RowForm } from '../../components/RowForm';
import { useReason } from '../../hooks/useReason';
import { deletedPatientService } from '../../lib/api/deletedPatientService';
import { toApiError } from '../../lib/api/errors';
import type { DeletedPatient } from '../../lib/api/types';
import { patientHref } from '../../lib/routes';
import { describePatient } from '../patients/columns';

interface DeletedPatientRowProps {
  patient: DeletedPatient;
  /** After the server restored or purged it: the notice to show, and the lists reload. */
  onDone: (notice: string) => void;
}

/**
 * One deleted record with Restore and Purge. Purging cannot be undone, so it opens a form in
 * the row that asks for the reason (required) before anything is sent. A refusal (409: the
 * patient ID was taken meanwhile) is shown in the row.
 */
export function DeletedPatientRow({ patient, onDone }: DeletedPatientRowProps) {
  const who = describePatient(patient);
  const [purging, setPurging] = useState(false);
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState(false);
  const purgeButton = useRef<HTMLButtonElement>(null);
  const reason = useReason(`purge-${String(patient.id)}-reason`, true);

  // The opened form's field takes the focus.
  useEffect(() => {
    if (purging) document.getElementById(reason.id)?.focus();
  }, [purging, reason.id]);

  if (done) return null;

  async function send(action: () => Promise<unknown>, notice: string) {
    setSending(true);
    setError('');
    try {
      await action();
      setDone(true);
      onDone(notice);
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setSending(false);
    }
  }

  function restore() {
    // Not `disabled` while sending: the button keeps the keyboard focus.
    if (sending) return;
    void send(
      () => deletedPatientService.restore(patient.id),
      `Restored ${who}. It is back in the patient list.`,
    );
  }

  function openPurge() {
    reason.reset();
    setError('');
    setPurging(true);
  }

  function closePurge() {
    flushSync(() => setPurging(false));
    purgeButton.current?.focus();
  }

  function purge(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    if (!reason.check()) return;
    void send(() => deletedPatientService.purge(patient.id, reason.value.trim()), `Purged ${who} for good.`);
  }

  function escape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Escape' || sending) return;
    event.preventDefault();
    closePurge();
  }

  return (
    <tr className="row">
      <td data-label="Patient ID">{patient.patientID}</td>
      <td data-label="Name">{patient.name}</td>
      <td data-label="Deleted">
        <DateTime iso={patient.deletedAt} />
      </td>
      <td data-label="Deleted by">{patient.deletedBy ?? '—'}</td>
      <td data-label="Reason">
        {/* A merge's reason only names the record; the link leads there. */}
        {patient.mergedInto !== null ? (
          <a href={patientHref(patient.mergedInto)}>Merged into #{String(patient.mergedInto)}</a>
        ) : (
          (patient.deleteReason ?? '—')
        )}
      </td>
      <ActionsCell error={error}>
        {purging ? (
          <RowForm
            sending={sending}
            submitLabel="Purge for good"
            sendingLabel="Purging…"
            danger
            onSubmit={purge}
            onKeyDown={escape}
            onCancel={closePurge}
          >
            <ReasonField
              reason={reason}
              label={`Reason for purging ${who}`}
              hint="Required. The record and its history are removed for good; the audit trail keeps the record number."
            />
          </RowForm>
        ) : (
          <div className="row__buttons">
            <button
              type="button"
              className="button button--small"
              aria-label={`Restore ${who}`}
              aria-disabled={sending || undefined}
              onClick={restore}
            >
              Restore
            </button>
            <button
              type="button"
              className="button button--small button--danger-outline"
              ref={purgeButton}
              aria-label={`Purge ${who}`}
              onClick={openPurge}
            >
              Purge
            </button>
          </div>
        )}
      </ActionsCell>
    </tr>
  );
}
