interface PaginationProps {
  page: number;
  pages: number;
  prev: number | null;
  next: number | null;
  label: string;
  onPage: (page: number) => void;
}

export function Pagination({ page, pages, prev, next, label, onPage }: PaginationProps) {
  if (pages <= 1) return null;
  return (
    <nav className="pagination" aria-label={label}>
      <button type="button" className="button" disabled={prev === null} onClick={() => prev !== null && onPage(prev)}>
        <span aria-hidden="true">‹ </span>Previous
      </button>
      <span className="pagination__where">
        Page {page} of {pages}
      </span>
      <button type="button" className="button" disabled={next === null} onClick={() => next !== null && onPage(next)}>
        Next<span aria-hidden="true"> ›</span>
      </button>
    </nav>
  );
}
