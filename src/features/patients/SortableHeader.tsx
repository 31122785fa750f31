import type { PatientField, Sort } from '../../lib/api/types';

interface SortableHeaderProps {
  field: PatientField;
  label: string;
  sort: Sort | null;
  onSort: (field: PatientField) => void;
}

/** A column header whose button asks the server for that order; aria-sort tells the state. */
export function SortableHeader({ field, label, sort, onSort }: SortableHeaderProps) {
  const direction = sort?.field === field ? sort.direction : 'none';
  const arrow = direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕';
  return (
    <th scope="col" aria-sort={direction}>
      <button type="button" className="sort-button" onClick={() => onSort(field)}>
        {label}
        <span className={`sort-arrow sort-arrow--${direction}`} aria-hidden="true">
          {arrow}
        </span>
      </button>
    </th>
  );
}

/** First click sorts ascending; clicking the sorted column again flips the direction. */
export function nextSort(current: Sort | null, field: PatientField): Sort {
  if (current?.field === field && current.direction === 'ascending') {
    return { field, direction: 'descending' };
  }
  return { field, direction: 'ascending' };
}
