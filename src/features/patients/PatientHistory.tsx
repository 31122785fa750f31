import { DataTable } from '../../components/DataTable';
import { DateTime } from '../../components/DateTime';
import { Loaded } from '../../components/Loaded';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import type { FieldChange, FieldValue, HistoryEntry } from '../../lib/api/types';
import { actionLabel, fieldLabel, userText } from '../audit/labels';

interface PatientHistoryProps {
  id: string;
  /** Changes whenever the registry changed on the page (an edit here adds a version). */
  refresh: number;
}

const HEADERS = ['Version', 'When', 'By', 'Action', 'Changes'];

const valueText = (value: FieldValue) => (value === null ? '—' : String(value));

/** "Name: Ann → Anne"; a field set for the first time (create, import) shows its value only. */
function Change({ change }: { change: FieldChange }) {
  return (
    <li>
      <span className="changes__field">{fieldLabel(change.field)}:</span>{' '}
      {change.from === null ? valueText(change.to) : `${valueText(change.from)} → ${valueText(change.to)}`}
    </li>
  );
}

function Version({ entry }: { entry: HistoryEntry }) {
  return (
    <tr className="row">
      <td data-label="Version">{entry.version}</td>
      <td data-label="When">
        <DateTime iso={entry.at} />
      </td>
      <td data-label="By">{userText(entry.username)}</td>
      <td data-label="Action">{actionLabel(entry.action)}</td>
      <td data-label="Changes">
        {entry.changes.length === 0 ? (
          '—'
        ) : (
          <ul className="changes">
            {entry.changes.map((change) => (
              <Change key={change.field} change={change} />
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

/** Every version of a patient, newest first: who changed which fields, from what to what. */
export function PatientHistory({ id, refresh }: PatientHistoryProps) {
  const remote = useRemote(JSON.stringify(['history', id, refresh]), (signal) => patientService.history(id, signal));
  const { loading, data, error } = remote;
  const none = data && !error && !loading && data.length === 0 ? 'No versions are recorded for this patient.' : '';

  return (
    <>
      <p role="status" className={none ? 'empty' : 'message-slot'}>
        {none}
      </p>
      <Loaded remote={remote} what="the history" loadingText="Loading the history…">
        {(entries) =>
          entries.length === 0 ? null : (
            <DataTable
              className="data-table history-table"
              caption="Versions, newest first"
              busy={loading}
              headers={HEADERS}
            >
              {entries.map((entry) => (
                <Version key={entry.version} entry={entry} />
              ))}
            </DataTable>
          )
        }
      </Loaded>
    </>
  );
}
