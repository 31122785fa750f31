import { useState } from 'react';
import { currentPage } from '../lib/api/read';
import type { Page } from '../lib/api/types';
import { useRemote, type Remote } from './useRemote';

/** `P`: the page with whatever the server sends beside it (a count of pending checks). */
export interface PagedRemote<T, P extends Page<T> = Page<T>> extends Remote<P> {
  /** Nothing to list yet (no query). */
  idle: boolean;
  /** The page shown (as the server answered it) or asked for. */
  page: number;
  setPage: (page: number) => void;
}

/**
 * One server page of a `_page` list at a time. `query` says what is listed (filters, sort,
 * search; null: nothing yet): a new one starts again at page 1. A new `refresh` reloads the
 * same page, and a page that no longer exists (its last row gone) steps back to the last.
 */
export function usePagedRemote<T, P extends Page<T> = Page<T>>(
  query: string | null,
  refresh: number,
  load: (page: number, signal: AbortSignal) => Promise<P & Page<T>>,
): PagedRemote<T, P> {
  const [page, setPage] = useState(1);
  const [listed, setListed] = useState(query);

  if (query !== listed) {
    setListed(query);
    setPage(1);
  }

  const key = query === null ? null : JSON.stringify([query, page, refresh]);
  const remote = useRemote(key, (signal) => load(page, signal));
  const { data, loading } = remote;

  if (data && !loading && page > Math.max(1, data.pages)) {
    setPage(Math.max(1, data.pages));
  }

  return {
    ...remote,
    idle: query === null,
    page: data ? currentPage(data, page) : page,
    setPage,
  };
}
