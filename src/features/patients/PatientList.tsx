import { useRef, useState } from 'react';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import type { PageQuery, PatientField, PatientPage, Sort } from '../../lib/api/types';
import { Pagination } from './Pagination';
import { PatientTable } from './PatientTable';
import { nextSort } from './SortableHeader';

export const PER_PAGE = 20;

interface PatientListProps {
  /** Shown to screen readers as the table caption. */
  label: string;
  /** Text search (`q=`); omitted for the full list. A new term starts again at page 1, unsorted. */
  search?: string;
  /** False while there is nothing to list yet (no search made): loads nothing, shows no list. */
  active?: boolean;
  /** Changes whenever the registry changed elsewhere on the page. */
  refresh: number;
  onChanged: () => void;
}

/** json-server's envelope has no "current page" field; it follows from prev/next. */
function currentPage(page: PatientPage, requested: number): number {
  if (page.prev !== null) return page.prev + 1;
  if (page.next !== null) return page.next - 1;
  return Math.min(requested, Math.max(page.pages, 1));
}

function countText(items: number, search?: string): string {
  const noun = items === 1 ? 'patient' : 'patients';
  return search ? `${items} ${noun} matching “${search}”` : `${items} ${noun}`;
}

/** One server-side page of patients at a time, sorted by the server. */
export function PatientList({ label, search, active = true, refresh, onChanged }: PatientListProps) {
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<Sort | null>(null);
  const [retries, setRetries] = useState(0);
  const [notice, setNotice] = useState('');
  const [listedSearch, setListedSearch] = useState(search);
  const noticeRef = useRef<HTMLParagraphElement>(null);

  // A new search term is a fresh list (the component stays, so its live regions do too).
  if (search !== listedSearch) {
    setListedSearch(search);
    setPage(1);
    setSort(null);
    setNotice('');
  }

  const query: PageQuery = { page, perPage: PER_PAGE, sort, search };
  const key = active ? JSON.stringify([query, refresh, retries]) : null;
  const { loading, data, error } = useRemote(key, (signal) => patientService.listPage(query, signal));

  // After deleting the last row of the last page, step back to the new last page.
  if (data && !loading && page > Math.max(1, data.pages)) {
    setPage(Math.max(1, data.pages));
  }

  const noneText =
    data && !error && !loading && data.items === 0
      ? search
        ? `No patients match “${search}”.`
        : 'No patients registered yet.'
      : '';

  function changeSort(field: PatientField) {
    setSort(nextSort(sort, field));
    setPage(1);
  }

  function saved(text: string) {
    setNotice(text);
    onChanged();
  }

  function deleted(text: string) {
    saved(text);
    // The focused Delete button is gone; the notice takes the focus instead of <body>.
    noticeRef.current?.focus();
  }

  return (
    <div className="patient-list">
      <p role="status" className={notice ? 'message message--success' : 'message-slot'} ref={noticeRef} tabIndex={-1}>
        {notice}
      </p>
      {/* In the page before any answer, so "no patients" is announced when it appears. */}
      <p role="status" className={noneText ? 'empty' : 'message-slot'}>
        {noneText}
      </p>
      {!active ? null : error ? (
        <div role="alert" className="message message--error">
          <p>Could not load patients. {error.message}</p>
          <button type="button" className="button" onClick={() => setRetries((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : !data ? (
        <p className="muted">Loading patients…</p>
      ) : data.items === 0 ? null : (
        <>
          <p className="list-count">
            {countText(data.items, search)}
            {loading && <span className="muted"> · updating…</span>}
          </p>
          <PatientTable
            caption={label}
            patients={data.data}
            sort={sort}
            onSort={changeSort}
            busy={loading}
            onSaved={saved}
            onDeleted={deleted}
          />
          <Pagination
            page={currentPage(data, page)}
            pages={data.pages}
            prev={data.prev}
            next={data.next}
            label={`${label}, pages`}
            onPage={setPage}
          />
        </>
      )}
    </div>
  );
}
