import type { ReactNode } from 'react';
import type { PagedRemote } from '../hooks/usePagedRemote';
import { Loaded } from './Loaded';
import { Pagination } from './Pagination';

interface PagedResultsProps<T> {
  paged: PagedRemote<T>;
  /** For the error: "Could not load {what}." */
  what: string;
  loadingText: string;
  /** Said (and announced) when the list is empty. */
  emptyText: string;
  /** "25 patients" */
  countText: (items: number) => string;
  /** Names the pager: "{label}, pages". */
  label: string;
  /** The rows of the page; `busy` while the next answer is on its way. */
  children: (items: T[], busy: boolean) => ReactNode;
}

/** A paged list's states: loading, failed (with Try again), empty, or a page with its pager. */
export function PagedResults<T>({ paged, what, loadingText, emptyText, countText, label, children }: PagedResultsProps<T>) {
  const { idle, loading, data, error } = paged;
  const none = !idle && data && !error && !loading && data.items === 0 ? emptyText : '';

  return (
    <>
      {/* In the page before any answer, so "none" is announced when it appears. */}
      <p role="status" className={none ? 'empty' : 'message-slot'}>
        {none}
      </p>
      {idle ? null : (
        <Loaded remote={paged} what={what} loadingText={loadingText}>
          {(answer) =>
            answer.items === 0 ? null : (
              <>
                <p className="list-count">
                  {countText(answer.items)}
                  {loading && <span className="muted"> · updating…</span>}
                </p>
                {children(answer.data, loading)}
                <Pagination
                  page={paged.page}
                  pages={answer.pages}
                  prev={answer.prev}
                  next={answer.next}
                  label={`${label}, pages`}
                  onPage={paged.setPage}
                />
              </>
            )
          }
        </Loaded>
      )}
    </>
  );
}
