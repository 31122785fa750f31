import { DataTable } from '../../components/DataTable';
import { FIELD_LABELS, type Patient } from '../../lib/api/types';
import { patientToForm, type PatientFormValues } from '../../lib/validation';
import { usePatientAccess } from './access';

interface PatientConflictProps {
  /** The record as the server holds it now, fetched after the refusal. */
  theirs: Patient;
  /** What the user tried to save. */
  mine: PatientFormValues;
  /** Takes their version into the form. */
  onReload: () => void;
}

const THEIRS = 'Their version (saved)';
const MINE = 'Your version (not saved)';
const HEADERS = ['Field', THEIRS, MINE];

const valueText = (value: string) => (value === '' ? '—' : value);

/**
 * A save refused because someone else saved the patient first (412): where their version and
 * the user's differ, side by side, and the way to go on from theirs.
 */
export function PatientConflict({ theirs, mine, onReload }: PatientConflictProps) {
  const { fields } = usePatientAccess();
  const their = patientToForm(theirs);
  const differing = fields.filter((field) => their[field] !== mine[field]);
  return (
    <div role="alert" className="message message--error">
      <p>
        <strong>This patient was changed by someone else</strong> while you were editing. Your changes are not saved.
      </p>
      {differing.length === 0 ? (
        <p>Their version already holds the values you entered.</p>
      ) : (
        <DataTable className="data-table conflict-table" caption="Their version and yours" headers={HEADERS}>
          {differing.map((field) => (
            <tr key={field} className="row">
              <td data-label="Field">{FIELD_LABELS[field]}</td>
              <td data-label={THEIRS}>{valueText(their[field])}</td>
              <td data-label={MINE}>{valueText(mine[field])}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <p>Reload their version into the form, make your changes again, and save.</p>
      <button type="button" className="button" onClick={onReload}>
        Reload their version
      </button>
    </div>
  );
}
