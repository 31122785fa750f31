import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { ActionsCell } from '../../components/DataTable';
import { ReasonField } from '../../components/ReasonField';
import { RowForm } from '../../components/RowForm';
import { useReason } from '../../hooks/useReason';
import { toApiError } from '../../lib/api/errors';
import { patientService } from '../../lib/api/patientService';
import type { Patient, PatientVersion } from '../../lib/api/types';
import { patientHref } from '../../lib/routes';
import { usePatientAccess } from './access';
import { cellText, columnsFor, describePatient as describe } from './columns';
import { PatientEditor } from './PatientEditor';

export interface RowEvents {
  onSaved: (notice: string) => void;
  onDeleted: (notice: string) => void;
}

interface PatientRowProps extends RowEvents {
  patient: Patient;
  /** The ETag `patient` was fetched with, when it was fetched on its own (the record page): sent with a delete. */
  etag?: string | null;
  /** Offer "Open" (the patient's record page); not on that page itself. */
  openable?: boolean;
}

type Mode = 'view' | 'edit' | 'confirm-delete';

/**
 * One patient with its Open, Edit and Delete actions (Delete only for the roles that may). The
 * server's answer is shown at once (saved values, row gone) while the list reloads behind it.
 */
export function PatientRow({ patient, etag = null, openable = true, onSaved, onDeleted }: PatientRowProps) {
  const { fields, canDelete } = usePatientAccess();
  const columns = columnsFor(fields);
  const formId = useId();
  const [mode, setMode] = useState<Mode>('view');
  const [saved, setSaved] = useState<{ base: Patient; version: PatientVersion } | null>(null);
  const [deletedFrom, setDeletedFrom] = useState<Patient | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState('');
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const cancelDelete = useRef<HTMLButtonElement>(null);
  const reason = useReason(`delete${formId}-reason`, false);

  // A fresh `patient` from the reloaded list replaces the locally saved copy.
  const { patient: shown, etag: shownEtag } = saved?.base === patient ? saved.version : { patient, etag };
  if (deletedFrom === patient) return null;

  function closeEditor() {
    flushSync(() => setMode('view'));
    editButton.current?.focus();
  }

  function afterSave(version: PatientVersion) {
    setSaved({ base: patient, version });
    closeEditor();
    onSaved(`Saved changes to ${describe(version.patient)}.`);
  }

  function askToDelete() {
    setDeleteError('');
    reason.reset();
    flushSync(() => setMode('confirm-delete'));
    cancelDelete.current?.focus();
  }

  function cancelDeleting() {
    if (deleting) return;
    flushSync(() => setMode('view'));
    deleteButton.current?.focus();
  }

  async function confirmDelete(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (deleting) return;
    if (!reason.check()) return;
    setDeleting(true);
    setDeleteError('');
    try {
      await patientService.remove(shown.id, reason.value, shownEtag);
      setDeletedFrom(patient);
      onDeleted(`Deleted ${describe(shown)}.`);
    } catch (error) {
      setDeleteError(`Could not delete: ${toApiError(error).message}`);
    } finally {
      setDeleting(false);
    }
  }

  function escape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    cancelDeleting();
  }

  return (
    <>
      <tr className={mode === 'edit' ? 'row row--editing' : 'row'}>
        {columns.map(({ field, label }) => (
          <td key={field} data-label={label}>
            {cellText(shown, field)}
          </td>
        ))}
        <ActionsCell error={deleteError}>
          {mode === 'confirm-delete' ? (
            <div className="confirm" role="group" aria-label={`Confirm deleting ${describe(shown)}`}>
              <p className="confirm__question">Delete this patient?</p>
              <RowForm
                sending={deleting}
                submitLabel="Yes, delete"
                sendingLabel="Deleting…"
                danger
                cancelRef={cancelDelete}
                onSubmit={confirmDelete}
                onKeyDown={escape}
                onCancel={cancelDeleting}
              >
                <ReasonField reason={reason} label="Reason (optional)" />
              </RowForm>
            </div>
          ) : (
            <div className="row__buttons">
              {openable && (
                <a className="button button--small" href={patientHref(shown.id)} aria-label={`Open ${describe(shown)}`}>
                  Open
                </a>
              )}
              <button
                type="button"
                className="button button--small"
                ref={editButton}
                aria-label={`Edit ${describe(shown)}`}
                aria-expanded={mode === 'edit'}
                onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')}
              >
                Edit
              </button>
              {canDelete && (
                <button
                  type="button"
                  className="button button--small button--danger-outline"
                  ref={deleteButton}
                  aria-label={`Delete ${describe(shown)}`}
                  onClick={askToDelete}
                >
                  Delete
                </button>
              )}
            </div>
          )}
        </ActionsCell>
      </tr>
      {mode === 'edit' && (
        <tr className="edit-row">
          <td colSpan={columns.length + 1}>
            <h3 className="edit-row__title">Edit {describe(shown)}</h3>
            <PatientEditor id={shown.id} idPrefix={`edit${formId}`} onSaved={afterSave} onClose={closeEditor} />
          </td>
        </tr>
      )}
    </>
  );
}
