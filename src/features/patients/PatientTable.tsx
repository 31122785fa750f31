import { DataTable } from '../../components/DataTable';
import type { Patient, PatientField, Sort } from '../../lib/api/types';
import { usePatientAccess } from './access';
import { columnsFor } from './columns';
import { PatientRow, type RowEvents } from './PatientRow';
import { SortableHeader } from './SortableHeader';

interface PatientTableProps extends RowEvents {
  caption: string;
  patients: Patient[];
  /** Without a sort handler the headers are plain text. */
  sort?: Sort | null;
  onSort?: (field: PatientField) => void;
  busy?: boolean;
  /** Rows link to the patient's record page (the default); not on that page itself. */
  openable?: boolean;
  /** The record page's one patient: the ETag it was fetched with (lists carry none). */
  etag?: string | null;
}

export function PatientTable({ caption, patients, sort = null, onSort, busy, openable, etag, ...events }: PatientTableProps) {
  const columns = columnsFor(usePatientAccess().fields);
  const headers = columns.map(({ field, label }) =>
    onSort ? <SortableHeader key={field} field={field} label={label} sort={sort} onSort={onSort} /> : label,
  );
  return (
    <DataTable className="patient-table" caption={caption} busy={busy} headers={headers} actions>
      {patients.map((patient) => (
        <PatientRow key={String(patient.id)} patient={patient} etag={etag} openable={openable} {...events} />
      ))}
    </DataTable>
  );
}
