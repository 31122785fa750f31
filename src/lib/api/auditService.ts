/** The audit trail (admins only, our API): GET /audit, and /audit/export as CSV. */
import { createHttp, isRecord, unreadable, type HttpOptions } from './http';
import { numberOrNull, pageParams, parsePageOf, textOrNull } from './read';
import type { AuditEvent, AuditFilters, Page, PatientKey } from './types';

function patientIds(value: unknown): PatientKey[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((id): id is PatientKey => typeof id === 'number' || typeof id === 'string');
}

/** An event's detail (an object of counts, ids and filters) as one line: `userId: 4, change: created admin`. */
function detailText(value: unknown): string | null {
  if (!isRecord(value)) return null;
  const parts = Object.entries(value).map(([key, item]) => `${key}: ${Array.isArray(item) ? item.join(' ') : String(item)}`);
  return parts.length ? parts.join(', ') : null;
}

export function parseAuditEvent(value: unknown): AuditEvent {
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.at !== 'string') throw unreadable();
  return {
    id: value.id,
    at: value.at,
    username: textOrNull(value.username),
    role: textOrNull(value.role),
    client: textOrNull(value.client),
    action: textOrNull(value.action) ?? '',
    outcome: numberOrNull(value.outcome),
    patientIds: patientIds(value.patientIds),
    rowCount: numberOrNull(value.rowCount),
    bulk: value.bulk === true,
    query: textOrNull(value.query),
    detail: detailText(value.detail),
  };
}

/** The filters that are set, as `patientId=5&action=read`; blanks are left out. */
export function auditFilterParams(filters: AuditFilters, params = new URLSearchParams()): URLSearchParams {
  for (const [name, value] of Object.entries(filters)) {
    const given = value.trim();
    if (given) params.set(name, given);
  }
  return params;
}

export function createAuditService(options: HttpOptions = {}) {
  const { json, url } = createHttp(options);

  return {
    /** One page of events, newest first. */
    async listPage(filters: AuditFilters, page: number, perPage: number, signal?: AbortSignal): Promise<Page<AuditEvent>> {
      const query = auditFilterParams(filters, pageParams(page, perPage)).toString();
      return parsePageOf(await json('GET', `/audit?${query}`, { signal }), parseAuditEvent);
    },

    /** Where the browser downloads every event matching `filters` as CSV (the cookie goes along). */
    exportUrl(filters: AuditFilters): string {
      const query = auditFilterParams(filters).toString();
      return url(query ? `/audit/export?${query}` : '/audit/export');
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

export const auditService = createAuditService();
