import { useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { toApiError } from '../../lib/api/errors';
import { patientService } from '../../lib/api/patientService';
import type { Patient } from '../../lib/api/types';
import { changedFields, patientToForm, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';
import { columnsFor, type Column } from './columns';
import { PatientForm } from './PatientForm';

export interface RowEvents {
  onSaved: (notice: string) => void;
  onDeleted: (notice: string) => void;
}

interface PatientRowProps extends RowEvents {
  patient: Patient;
}

type Mode = 'view' | 'edit' | 'confirm-delete';

function cellText(patient: Patient, field: Column['field']): string {
  const value = patient[field];
  return value === null ? '—' : String(value);
}

const describe = (patient: Patient) => `${patient.name} (${patient.patientID})`;

/**
 * One patient with its Edit and Delete actions (Delete only for the roles that may). The
 * server's answer is shown at once (saved values, row gone) while the list reloads behind it.
 */
export function PatientRow({ patient, onSaved, onDeleted }: PatientRowProps) {
  const { fields, canDelete } = usePatientAccess();
  const columns = columnsFor(fields);
  const formId = useId();
  const [mode, setMode] = useState<Mode>('view');
  const [saved, setSaved] = useState<{ base: Patient; value: Patient } | null>(null);
  const [deletedFrom, setDeletedFrom] = useState<Patient | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState('');
  const editButton = useRef<HTMLButtonElement>(null);
  const cancelDelete = useRef<HTMLButtonElement>(null);

  // A fresh `patient` from the reloaded list replaces the locally saved copy.
  const shown = saved?.base === patient ? saved.value : patient;
  if (deletedFrom === patient) return null;

  function closeEditor() {
    flushSync(() => setMode('view'));
    editButton.current?.focus();
  }

  async function save(values: PatientFormValues) {
    const patch = changedFields(patientToForm(shown), values, fields);
    if (Object.keys(patch).length === 0) return closeEditor();
    const updated = await patientService.update(shown.id, patch);
    setSaved({ base: patient, value: updated });
    closeEditor();
    onSaved(`Saved changes to ${describe(updated)}.`);
  }

  function askToDelete() {
    setDeleteError('');
    flushSync(() => setMode('confirm-delete'));
    cancelDelete.current?.focus();
  }

  async function confirmDelete() {
    setDeleting(true);
    setDeleteError('');
    try {
      await patientService.remove(shown.id);
      setDeletedFrom(patient);
      onDeleted(`Deleted ${describe(shown)}.`);
    } catch (error) {
      setDeleteError(`Could not delete: ${toApiError(error).message}`);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <>
      <tr className={mode === 'edit' ? 'row row--editing' : 'row'}>
        {columns.map(({ field, label }) => (
          <td key={field} data-label={label}>
            {cellText(shown, field)}
          </td>
        ))}
        <td className="row__actions" data-label="Actions">
          {mode === 'confirm-delete' ? (
            <div className="confirm" role="group" aria-label={`Confirm deleting ${describe(shown)}`}>
              <span>Delete this patient?</span>
              <button type="button" className="button button--small button--danger" disabled={deleting} onClick={confirmDelete}>
                {deleting ? 'Deleting…' : 'Yes, delete'}
              </button>
              <button type="button" className="button button--small" ref={cancelDelete} onClick={() => setMode('view')}>
                Cancel
              </button>
            </div>
          ) : (
            <div className="row__buttons">
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
                  aria-label={`Delete ${describe(shown)}`}
                  onClick={askToDelete}
                >
                  Delete
                </button>
              )}
            </div>
          )}
          {deleteError && (
            <p role="alert" className="message message--error">
              {deleteError}
            </p>
          )}
        </td>
      </tr>
      {mode === 'edit' && (
        <tr className="edit-row">
          <td colSpan={columns.length + 1}>
            <h3 className="edit-row__title">Edit {describe(shown)}</h3>
            <PatientForm
              idPrefix={`edit${formId}`}
              initialValues={patientToForm(shown)}
              submitLabel="Save changes"
              sendingLabel="Saving…"
              onSubmit={save}
              onCancel={closeEditor}
              focusOnMount
            />
          </td>
        </tr>
      )}
    </>
  );
}
