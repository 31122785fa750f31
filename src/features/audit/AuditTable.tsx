import type { ReactNode } from 'react';
import { DataTable } from '../../components/DataTable';
import { DateTime } from '../../components/DateTime';
import type { AuditEvent } from '../../lib/api/types';
import { patientHref } from '../../lib/routes';
import { roleLabel } from '../auth/roles';
import { actionLabel, outcomeText, userText } from './labels';

/** Beyond this many, a row names the count of patients instead of listing them. */
const IDS_LISTED = 5;

interface Column {
  label: string;
  cell: (event: AuditEvent, bulkNote: string) => ReactNode;
}

function Patients({ ids }: { ids: AuditEvent['patientIds'] }) {
  if (ids === null || ids.length === 0) return '—';
  const rest = ids.length - IDS_LISTED;
  return (
    <>
      {ids.slice(0, IDS_LISTED).map((id, index) => (
        <span key={String(id)}>
          {index > 0 && ', '}
          <a href={patientHref(id)}>{id}</a>
        </span>
      ))}
      {rest > 0 && ` and ${rest} more`}
    </>
  );
}

/** A bulk list (over 1,000 rows) recorded no patient ids: say what that means for the reader. */
function Action({ event, bulkNote }: { event: AuditEvent; bulkNote: string }) {
  return (
    <>
      {actionLabel(event.action)}
      {event.bulk && <span className="audit__bulk">{bulkNote}</span>}
    </>
  );
}

const COLUMNS: readonly Column[] = [
  { label: 'When', cell: (event) => <DateTime iso={event.at} /> },
  { label: 'User', cell: (event) => userText(event.username) },
  { label: 'Role', cell: (event) => (event.role ? roleLabel(event.role) : '—') },
  { label: 'Action', cell: (event, bulkNote) => <Action event={event} bulkNote={bulkNote} /> },
  { label: 'Outcome', cell: (event) => outcomeText(event.outcome) },
];

/** What the Activity page adds: which records, how many rows, from where, and the details. */
const DETAIL_COLUMNS: readonly Column[] = [
  { label: 'Patients', cell: (event) => <Patients ids={event.patientIds} /> },
  { label: 'Rows', cell: (event) => event.rowCount ?? '—' },
  { label: 'Client', cell: (event) => event.client ?? '—' },
  { label: 'Details', cell: (event) => [event.query, event.detail].filter(Boolean).join(' · ') || '—' },
];

interface AuditTableProps {
  caption: string;
  events: AuditEvent[];
  busy: boolean;
  /** Said under the action of a bulk event. */
  bulkNote: string;
  /** The Activity page's extra columns (a record's own access log does without them). */
  detailed?: boolean;
}

export function AuditTable({ caption, events, busy, bulkNote, detailed }: AuditTableProps) {
  const columns = detailed ? [...COLUMNS, ...DETAIL_COLUMNS] : COLUMNS;
  const headers = columns.map(({ label }) => label);
  return (
    <DataTable className="data-table audit-table" caption={caption} busy={busy} headers={headers}>
      {events.map((event) => (
        <tr key={event.id} className={event.bulk ? 'row row--bulk' : 'row'}>
          {columns.map(({ label, cell }) => (
            <td key={label} data-label={label}>
              {cell(event, bulkNote)}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}
