import { DataTable } from '../../components/DataTable';
import type { PatientField } from '../../lib/api/types';
import { usePatientAccess } from '../patients/access';
import { columnsFor } from '../patients/columns';

export interface SideBySideColumn {
  /** The column's header: "You entered", "Record #7". */
  label: string;
  /** A field's value as shown; blank is a dash. */
  text: (field: PatientField) => string;
}

interface SideBySideProps {
  caption: string;
  columns: readonly SideBySideColumn[];
}

/** Two versions of a patient, one row per field the role may see, to compare at a glance. */
export function SideBySide({ caption, columns }: SideBySideProps) {
  const rows = columnsFor(usePatientAccess().fields);
  return (
    <DataTable className="data-table side-by-side" caption={caption} headers={['Field', ...columns.map((c) => c.label)]}>
      {rows.map(({ field, label }) => (
        <tr key={field} className="row">
          <th scope="row" data-label="Field">
            {label}
          </th>
          {columns.map((column) => (
            <td key={column.label} data-label={column.label}>
              {column.text(field) || '—'}
            </td>
          ))}
        </tr>
      ))}
    </DataTable>
  );
}
