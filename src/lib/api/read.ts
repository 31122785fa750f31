/** Defensive readers of the server's JSON, shared by the service modules. */
import { isRecord, unreadable } from './http';
import type { Page } from './types';

export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Reads the `_page` envelope, each item with `parseItem`. */
export function parsePageOf<T>(value: unknown, parseItem: (item: unknown) => T): Page<T> {
  if (!isRecord(value) || !Array.isArray(value.data)) throw unreadable();
  const data = value.data.map(parseItem);
  const pages = numberOrNull(value.pages) ?? 1;
  return {
    first: numberOrNull(value.first) ?? 1,
    prev: numberOrNull(value.prev),
    next: numberOrNull(value.next),
    last: numberOrNull(value.last) ?? pages,
    pages,
    items: numberOrNull(value.items) ?? data.length,
    data,
  };
}

/** `_page=2&_per_page=20`, the start of every paged query. */
export function pageParams(page: number, perPage: number): URLSearchParams {
  return new URLSearchParams({ _page: String(page), _per_page: String(perPage) });
}

/** json-server's envelope has no "current page" field; it follows from prev/next. */
export function currentPage(page: Page<unknown>, requested: number): number {
  if (page.prev !== null) return page.prev + 1;
  if (page.next !== null) return page.next - 1;
  return Math.min(requested, Math.max(page.pages, 1));
}
