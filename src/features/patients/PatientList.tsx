import { useState } from 'react';
import { Notice } from '../../components/Notice';
import { PagedResults } from '../../components/PagedResults';
import { useNotice } from '../../hooks/useNotice';
import { usePagedRemote } from '../../hooks/usePagedRemote';
import { patientService } from '../../lib/api/patientService';
import type { PatientField, Sort } from '../../lib/api/types';
import { DidYouMean } from './DidYouMean';
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
  /** A search that finds nothing offers patients with a name like the term ("Did you mean"). */
  suggestNames?: boolean;
}

function countText(items: number, search?: string): string {
  const noun = items === 1 ? 'patient' : 'patients';
  return search ? `${items} ${noun} matching “${search}”` : `${items} ${noun}`;
}

/** One server-side page of patients at a time, sorted by the server. */
export function PatientList({ label, search, active = true, refresh, onChanged, suggestNames }: PatientListProps) {
  const [sort, setSort] = useState<Sort | null>(null);
  const [notice, noticeRef] = useNotice(onChanged);
  const [listedSearch, setListedSearch] = useState(search);

  // A new search term is a fresh list (the component stays, so its live regions do too).
  if (search !== listedSearch) {
    setListedSearch(search);
    setSort(null);
    notice.clear();
  }

  // A new sort or term starts again at page 1 (usePagedRemote); `refresh` keeps the page.
  const query = active ? JSON.stringify([sort, search ?? null]) : null;
  const paged = usePagedRemote(query, refresh, (page, signal) =>
    patientService.listPage({ page, perPage: PER_PAGE, sort, search }, signal),
  );

  function changeSort(field: PatientField) {
    setSort(nextSort(sort, field));
  }

  // Only an answer of none asks for names: a search that found someone costs no extra request.
  const foundNone = !paged.idle && !paged.loading && !paged.error && paged.data?.items === 0;

  return (
    <div className="patient-list">
      <Notice text={notice.text} ref={noticeRef} />
      <PagedResults
        paged={paged}
        what="patients"
        loadingText="Loading patients…"
        emptyText={search ? `No patients match “${search}”.` : 'No patients registered yet.'}
        countText={(items) => countText(items, search)}
        label={label}
      >
        {(patients, busy) => (
          <PatientTable
            caption={label}
            patients={patients}
            sort={sort}
            onSort={changeSort}
            busy={busy}
            onSaved={notice.changed}
            onDeleted={notice.removed}
          />
        )}
      </PagedResults>
      {suggestNames && <DidYouMean text={foundNone && search ? search : null} />}
    </div>
  );
}
