import { describe, expect, it } from 'vitest';
import {
  envelope,
  errorResponse,
  jsonResponse,
  makeAuditEvent,
  makeDeletedPatient,
  stubFetch,
} from '../../testing/fakeApi';
import { createAuditService } from './auditService';
import { createDeletedPatientService } from './deletedPatientService';
import { ApiError } from './errors';
import { createPatientService } from './patientService';
import { NO_AUDIT_FILTERS } from './types';

describe('the audit trail', () => {
  it('asks for a page with the filters that are set, and leaves blank ones out', async () => {
    const sent = stubFetch(() => jsonResponse(envelope([], 1, 0, 0)));
    const filters = { ...NO_AUDIT_FILTERS, patientId: ' 5 ', action: 'read', to: '2026-12-02' };
    await createAuditService({ baseUrl: '' }).listPage(filters, 2, 20);
    expect(sent[0]?.url).toBe('/audit?_page=2&_per_page=20&patientId=5&action=read&to=2026-12-02');
  });

  it('gives the CSV download the same filters, under the base URL', () => {
    const api = createAuditService({ baseUrl: 'http://localhost:8000/' });
    expect(api.exportUrl({ ...NO_AUDIT_FILTERS, username: 'ada & co' })).toBe(
      'http://localhost:8000/audit/export?username=ada+%26+co',
    );
    expect(api.exportUrl(NO_AUDIT_FILTERS)).toBe('http://localhost:8000/audit/export');
  });

  it('reads events defensively: a bulk list has no patient ids', async () => {
    const bulk = makeAuditEvent({ action: 'search', bulk: true, patientIds: null, rowCount: 1500 });
    stubFetch(() => jsonResponse(envelope([bulk, { ...makeAuditEvent(), username: null, outcome: 'odd' }], 1, 1, 2)));
    const page = await createAuditService({ baseUrl: '' }).listPage(NO_AUDIT_FILTERS, 1, 20);
    expect(page.data[0]).toMatchObject({ action: 'search', bulk: true, patientIds: null, rowCount: 1500 });
    expect(page.data[1]).toMatchObject({ username: null, outcome: null, bulk: false, patientIds: [1] });
  });

  it('shows an event\'s detail object as one line', async () => {
    const changed = makeAuditEvent({ action: 'user_admin', detail: { userId: 4, change: ['created', 'admin'] } });
    stubFetch(() => jsonResponse(envelope([changed, makeAuditEvent({ detail: {} })], 1, 1, 2)));
    const page = await createAuditService({ baseUrl: '' }).listPage(NO_AUDIT_FILTERS, 1, 20);
    expect(page.data.map((event) => event.detail)).toEqual(['userId: 4, change: created admin', null]);
  });

  it('refuses an answer that is not a page of events', async () => {
    stubFetch(() => jsonResponse([makeAuditEvent()]));
    await expect(createAuditService({ baseUrl: '' }).listPage(NO_AUDIT_FILTERS, 1, 20)).rejects.toBeInstanceOf(ApiError);
  });
});

describe("a patient's history", () => {
  it('reads the versions, each change in the order of the form', async () => {
    const sent = stubFetch(() =>
      jsonResponse([
        {
          version: 2,
          at: '2026-12-02T14:00:00.123456Z',
          userId: 2,
          username: 'cleo',
          action: 'update',
          changes: { lastVisit: { from: '2024-01-01', to: '2024-02-02' }, name: { from: 'Ann', to: 'Anne' } },
        },
        { version: 1, at: '2026-12-01T10:00:00Z', userId: null, username: null, action: 'import', changes: {} },
      ]),
    );
    const versions = await createPatientService({ baseUrl: '' }).history(7);
    expect(sent[0]?.url).toBe('/patients/7/history');
    expect(versions).toEqual([
      {
        version: 2,
        at: '2026-12-02T14:00:00.123456Z',
        username: 'cleo',
        action: 'update',
        changes: [
          { field: 'name', from: 'Ann', to: 'Anne' },
          { field: 'lastVisit', from: '2024-01-01', to: '2024-02-02' },
        ],
      },
      { version: 1, at: '2026-12-01T10:00:00Z', username: null, action: 'import', changes: [] },
    ]);
  });

  it('sends a delete reason when one is given, and no body otherwise', async () => {
    const sent = stubFetch(() => new Response(null, { status: 204 }));
    const api = createPatientService({ baseUrl: '' });
    await api.remove(7, '  duplicate record ');
    await api.remove(8, '   ');
    expect(sent.map(({ url, body }) => [url, body])).toEqual([
      ['/patients/7', { reason: 'duplicate record' }],
      ['/patients/8', undefined],
    ]);
  });
});

describe('deleted patients', () => {
  it('lists, restores and purges with a reason', async () => {
    const gone = makeDeletedPatient({ id: 4, deleteReason: 'twin' });
    const sent = stubFetch(({ method }) =>
      method === 'GET'
        ? jsonResponse(envelope([gone], 1, 1, 1))
        : method === 'POST'
          ? jsonResponse(gone)
          : new Response(null, { status: 204 }),
    );
    const api = createDeletedPatientService({ baseUrl: '' });
    expect((await api.listPage(1, 20)).data).toEqual([gone]);
    await api.restore(4);
    await api.purge(4, 'entered by mistake');
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['GET', '/deleted-patients?_page=1&_per_page=20', undefined],
      ['POST', '/deleted-patients/4/restore', undefined],
      ['DELETE', '/deleted-patients/4', { reason: 'entered by mistake' }],
    ]);
  });

  it("reads a refused restore (409) in the server's words", async () => {
    stubFetch(() => errorResponse(409, 'patientID P004 belongs to another patient now.'));
    await expect(createDeletedPatientService({ baseUrl: '' }).restore(4)).rejects.toMatchObject({
      status: 409,
      message: 'patientID P004 belongs to another patient now.',
    });
  });
});
