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
}

export function PatientTable({ caption, patients, sort = null, onSort, busy, ...events }: PatientTableProps) {
  const columns = columnsFor(usePatientAccess().fields);
  return (
    <div className="table-wrap">
      <table className="patient-table" aria-busy={busy || undefined}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map(({ field, label }) =>
              onSort ? (
                <SortableHeader key={field} field={field} label={label} sort={sort} onSort={onSort} />
              ) : (
                <th key={field} scope="col">
                  {label}
                </th>
              ),
            )}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {patients.map((patient) => (
            <PatientRow key={String(patient.id)} patient={patient} {...events} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
