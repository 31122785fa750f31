import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import type { Patient } from '../../lib/api/types';
import {
  errorResponse,
  fakeBackend,
  makeAuditEvent,
  makePatient,
  pathOf,
  type FakeBackendOptions,
  type SentRequest,
  type WireHistoryEntry,
} from '../../testing/fakeApi';

const user = userEvent.setup();

const region = (name: string) => screen.getByRole('region', { name });

const historyOf = (id: Patient['id']): WireHistoryEntry[] => [
  {
    version: 2,
    at: '2026-12-02T14:00:00.123456Z',
    userId: 2,
    username: 'cleo',
    action: 'update',
    changes: { name: { from: 'Ann Lee', to: 'Anne Lee' }, age: { from: 40, to: 41 } },
  },
  {
    version: 1,
    at: '2026-11-30T08:05:09Z',
    userId: null,
    username: null,
    action: 'import',
    changes: { patientID: { from: null, to: `P-${String(id)}` }, name: { from: null, to: 'Ann Lee' } },
  },
];

/** Signed in as `username`, the record of Anne Lee (or the first of `options.patients`) opened from the list. */
async function openRecord(username: string, options: FakeBackendOptions = {}) {
  const patient = options.patients?.[0] ?? makePatient({ name: 'Anne Lee', age: 41 });
  const backend = fakeBackend({ signedIn: username, patients: [patient], history: { [patient.id]: historyOf(patient.id) }, ...options });
  render(<App />);
  await user.click(await screen.findByRole('link', { name: `Open Anne Lee (${patient.patientID})` }));
  await within(region('Patient record')).findByRole('cell', { name: 'Anne Lee' });
  return { backend, patient };
}

const requested = (sent: SentRequest[], path: string) => sent.filter((r) => pathOf(r) === path);

describe('a patient record', () => {
  it('opens from the list with the focus on its title, and shows the fields', async () => {
    const { patient } = await openRecord('cleo');
    expect(window.location.hash).toBe(`#patient/${patient.id}`);
    expect(screen.getByRole('heading', { name: 'Patient record' })).toHaveFocus();
    const record = region('Patient record');
    expect(within(record).getByText(`Record number ${patient.id}`)).toBeInTheDocument();
    for (const value of [patient.patientID, '41', 'Female', 'Asthma', '2024-03-01']) {
      expect(within(record).getByRole('cell', { name: value })).toBeInTheDocument();
    }
    expect(within(record).queryByRole('link', { name: /^Open/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Patients' })).not.toBeInTheDocument();
  });

  it('shows the versions newest first: who, when, what, and each change old → new', async () => {
    await openRecord('cleo');
    const table = await within(region('History')).findByRole('table', { name: 'Versions, newest first' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['2', '2026-12-02 14:00:00', 'cleo', 'Updated', 'Name: Ann Lee → Anne LeeAge: 40 → 41'],
      ['1', '2026-11-30 08:05:09', '—', 'Imported', expect.stringMatching(/^Patient ID: P-\d+Name: Ann Lee$/)],
    ]);
    expect(within(rows[0] as HTMLElement).getByText('Name:').closest('li')).toHaveTextContent('Name: Ann Lee → Anne Lee');
  });

  it('gives a clinician no access log, and never asks for one', async () => {
    const { backend } = await openRecord('cleo');
    await within(region('History')).findByRole('table');
    expect(screen.queryByRole('region', { name: 'Access log' })).not.toBeInTheDocument();
    expect(requested(backend.sent, '/audit')).toEqual([]);
  });

  it('shows an admin who looked at the record, marking bulk lists that may have held it', async () => {
    const audit = [
      makeAuditEvent({ username: 'ada', role: 'admin', action: 'read', patientIds: [] }),
      makeAuditEvent({ username: 'cleo', role: 'clinician', action: 'search', bulk: true, patientIds: null, outcome: 200 }),
      makeAuditEvent({ username: 'remy', role: 'receptionist', action: 'update', outcome: 403, patientIds: [] }),
    ];
    const patient = makePatient({ name: 'Anne Lee' });
    for (const event of audit) if (!event.bulk) event.patientIds = [Number(patient.id)];
    const { backend } = await openRecord('ada', { patients: [patient], audit });

    const log = region('Access log');
    const table = await within(log).findByRole('table', { name: 'Access log' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['2026-12-02 14:00:00', 'ada', 'Admin', 'Read', 'Succeeded (200)'],
      ['2026-12-02 14:00:00', 'cleo', 'Clinician', 'SearchedBulk list — may have included this patient', 'Succeeded (200)'],
      ['2026-12-02 14:00:00', 'remy', 'Receptionist', 'Updated', 'Refused (403)'],
    ]);
    expect(within(log).getByText('3 events')).toBeInTheDocument();
    expect(requested(backend.sent, '/audit').map((r) => r.url)).toEqual([`/audit?_page=1&_per_page=20&patientId=${patient.id}`]);
  });

  it('shows a receptionist the record only: no history, no access log', async () => {
    const { backend } = await openRecord('remy');
    expect(screen.queryByRole('region', { name: 'History' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Access log' })).not.toBeInTheDocument();
    expect(within(region('Patient record')).queryByRole('cell', { name: 'Asthma' })).not.toBeInTheDocument();
    expect(backend.sent.some((r) => pathOf(r).endsWith('/history'))).toBe(false);
  });

  it('reloads the history after an edit made on the record', async () => {
    const { backend, patient } = await openRecord('cleo');
    const record = region('Patient record');
    await within(region('History')).findByRole('table');
    await user.click(within(record).getByRole('button', { name: /^Edit Anne Lee/ }));
    await user.clear(await within(record).findByLabelText('Age'));
    await user.type(within(record).getByLabelText('Age'), '42');
    await user.click(within(record).getByRole('button', { name: 'Save changes' }));
    expect(await within(record).findByText(`Saved changes to Anne Lee (${patient.patientID}).`)).toBeInTheDocument();
    await within(record).findByRole('cell', { name: '42' });
    expect(requested(backend.sent, `/patients/${patient.id}/history`)).toHaveLength(2);
  });

  it('deletes with the reason given, and says the record is gone', async () => {
    const { backend, patient } = await openRecord('cleo');
    const record = region('Patient record');
    await user.click(within(record).getByRole('button', { name: /^Delete Anne Lee/ }));
    const confirm = within(record).getByRole('group', { name: /Confirm deleting Anne Lee/ });
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.type(within(confirm).getByLabelText('Reason (optional)'), 'Registered twice');
    await user.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));

    expect(await within(record).findByText(`Deleted Anne Lee (${patient.patientID}).`)).toHaveFocus();
    expect(within(record).getByText(/This record is deleted\. An admin can restore it/)).toBeInTheDocument();
    expect(backend.sent.find((r) => r.method === 'DELETE')).toMatchObject({
      url: `/patients/${patient.id}`,
      body: { reason: 'Registered twice' },
    });
    expect(backend.deleted[0]).toMatchObject({ id: patient.id, deleteReason: 'Registered twice' });
    // Its history is not asked for again (the server has none for a deleted record): it stays.
    expect(requested(backend.sent, `/patients/${patient.id}/history`)).toHaveLength(1);
    expect(within(region('History')).getByRole('table')).toBeInTheDocument();
  });

  it('goes back to the list, with the focus on its title', async () => {
    await openRecord('cleo');
    await user.click(screen.getByRole('link', { name: 'Back to the patient list' }));
    expect(await screen.findByRole('heading', { name: 'Patients' })).toHaveFocus();
    expect(within(region('Patients')).getByRole('cell', { name: 'Anne Lee' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Patient record' })).not.toBeInTheDocument();
  });

  it('says when the record or its history cannot be loaded', async () => {
    fakeBackend({
      signedIn: 'cleo',
      routes: {
        'GET /patients/:id': () => errorResponse(404, 'No patient has the id 99.'),
        'GET /patients/:id/history': () => errorResponse(503, 'The database is unavailable.'),
      },
    });
    window.history.replaceState(null, '', '#patient/99');
    render(<App />);
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((alert) => alert.firstChild?.textContent)).toEqual([
      'Could not load this patient. No patient has the id 99.',
      'Could not load the history. The database is unavailable.',
    ]);
  });
});
