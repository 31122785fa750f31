import { PagedResults } from '../../components/PagedResults';
import { usePagedRemote } from '../../hooks/usePagedRemote';
import { auditService } from '../../lib/api/auditService';
import type { AuditFilters } from '../../lib/api/types';
import { AuditTable } from './AuditTable';

export const AUDIT_PER_PAGE = 20;

export const BULK_NOTE = 'Bulk list of over 1,000 rows';
export const BULK_NOTE_FOR_PATIENT = 'Bulk list — may have included this patient';

interface AuditEventsProps {
  /** Names the table and its pager. */
  label: string;
  filters: AuditFilters;
  /** Changes whenever the registry changed on the page (which adds events). */
  refresh?: number;
  /** The Activity page's extra columns. */
  detailed?: boolean;
}

const countText = (items: number) => `${items} ${items === 1 ? 'event' : 'events'}`;

/** One page of audit events matching `filters`, newest first; new filters start at page 1. */
export function AuditEvents({ label, filters, refresh = 0, detailed }: AuditEventsProps) {
  const paged = usePagedRemote(JSON.stringify(filters), refresh, (page, signal) =>
    auditService.listPage(filters, page, AUDIT_PER_PAGE, signal),
  );
  // With a patient filter, the server adds the bulk lists that could have held that patient.
  const bulkNote = filters.patientId ? BULK_NOTE_FOR_PATIENT : BULK_NOTE;

  return (
    <PagedResults
      paged={paged}
      what="the audit events"
      loadingText="Loading audit events…"
      emptyText="No events match."
      countText={countText}
      label={label}
    >
      {(events, busy) => (
        <AuditTable caption={label} events={events} busy={busy} bulkNote={bulkNote} detailed={detailed} />
      )}
    </PagedResults>
  );
}
