import type { ReactElement, ReactNode } from 'react';

interface DataTableProps {
  /** All of the table's classes: its layout (`data-table`, `patient-table`) and its own. */
  className: string;
  /** Names the table for screen readers only (a hidden caption)… */
  caption?: string;
  /** …or the id of the visible heading that names it. */
  labelledBy?: string;
  /** True while a newer answer is on its way. */
  busy?: boolean;
  /** The column headers in order: a label, or a header cell of its own (with its key). */
  headers: readonly (string | ReactElement)[];
  /** A last column for each row's ActionsCell, its header said to screen readers only. */
  actions?: boolean;
  /** The rows. */
  children: ReactNode;
}

/** A table of rows that scrolls sideways on its own when it is wider than the page. */
export function DataTable({ className, caption, labelledBy, busy, headers, actions, children }: DataTableProps) {
  return (
    <div className="table-wrap">
      <table className={className} aria-labelledby={labelledBy} aria-busy={busy || undefined}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {headers.map((header) =>
              typeof header === 'string' ? (
                <th key={header} scope="col">
                  {header}
                </th>
              ) : (
                header
              ),
            )}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

interface ActionsCellProps {
  /** A refusal or failure of the row's last action; empty when there is none. */
  error: string;
  /** The row's buttons, or the form one of them opened. */
  children: ReactNode;
}

/** A row's last cell (DataTable `actions`): its buttons, and what went wrong underneath. */
export function ActionsCell({ error, children }: ActionsCellProps) {
  return (
    <td className="row__actions" data-label="Actions">
      {children}
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
    </td>
  );
}
