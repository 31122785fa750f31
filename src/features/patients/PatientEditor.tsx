import { useState } from 'react';
import { Loaded } from '../../components/Loaded';
import { useRemote } from '../../hooks/useRemote';
import { toApiError } from '../../lib/api/errors';
import { patientService } from '../../lib/api/patientService';
import type { PatientKey, PatientVersion } from '../../lib/api/types';
import { changedFields, patientToForm, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';
import { PatientConflict } from './PatientConflict';
import { PatientForm } from './PatientForm';

interface PatientEditorProps {
  id: PatientKey;
  idPrefix: string;
  /** The version the save made. */
  onSaved: (saved: PatientVersion) => void;
  /** Closes the form: cancelled, or saved without a change. */
  onClose: () => void;
}

interface Conflict {
  theirs: PatientVersion;
  mine: PatientFormValues;
}

/**
 * A patient's edit form. It starts from the record as the server holds it when the form opens
 * (a list's copy has no version) and saves with that version's ETag in If-Match, so a change
 * someone else saved meanwhile is refused (412) instead of overwritten, and both are shown.
 */
export function PatientEditor({ id, idPrefix, onSaved, onClose }: PatientEditorProps) {
  const { fields } = usePatientAccess();
  const remote = useRemote(JSON.stringify(['edit', id]), (signal) => patientService.get(id, signal));
  /** Their version, taken into the form after a conflict. */
  const [reloaded, setReloaded] = useState<PatientVersion | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);

  async function save(base: PatientVersion, values: PatientFormValues) {
    const patch = changedFields(patientToForm(base.patient), values, fields);
    if (Object.keys(patch).length === 0) return onClose();
    try {
      onSaved(await patientService.update(id, patch, base.etag));
    } catch (error) {
      if (toApiError(error).status !== 412) throw error;
      // Not retried: the user sees their version and decides what to keep.
      setConflict({ theirs: await patientService.get(id), mine: values });
    }
  }

  function takeTheirs(theirs: PatientVersion) {
    setReloaded(theirs);
    setConflict(null);
  }

  return (
    <Loaded remote={remote} what="this patient" loadingText="Loading the patient…">
      {(fetched) => {
        const base = reloaded ?? fetched;
        return (
          <PatientForm
            // Another version is another form: its values start from that version.
            key={base.etag ?? 'untagged'}
            idPrefix={idPrefix}
            initialValues={patientToForm(base.patient)}
            submitLabel="Save changes"
            sendingLabel="Saving…"
            onSubmit={(values) => save(base, values)}
            onCancel={onClose}
            focusOnMount
            notice={
              conflict && (
                <PatientConflict
                  theirs={conflict.theirs.patient}
                  mine={conflict.mine}
                  onReload={() => takeTheirs(conflict.theirs)}
                />
              )
            }
          />
        );
      }}
    </Loaded>
  );
}
