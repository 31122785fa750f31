import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import {
  errorResponse,
  fakeBackend,
  makeAuditEvent,
  paramsOf,
  pathOf,
  type SentRequest,
  type WireAuditEvent,
} from '../../testing/fakeApi';
import { ActivityLog } from './ActivityLog';

const user = userEvent.setup();

const auditRequests = (sent: SentRequest[]) => sent.filter((r) => pathOf(r) === '/audit').map(paramsOf);

function activityPage(audit: WireAuditEvent[]) {
  const backend = fakeBackend({ signedIn: 'ada', audit });
  render(<ActivityLog />);
  return backend;
}

const table = () => screen.findByRole('table', { name: 'Audit events' });

describe('the Activity page', () => {
  it('is in the navigation for admins only, and opens with the focus on its title', async () => {
    const { sent } = fakeBackend({ signedIn: 'ada', audit: [makeAuditEvent()] });
    const { unmount } = render(<App />);
    const nav = await screen.findByRole('navigation', { name: 'Sections' });
    await user.click(within(nav).getByRole('link', { name: 'Activity' }));
    expect(await screen.findByRole('heading', { name: 'Activity' })).toHaveFocus();
    expect(within(nav).getByRole('link', { name: 'Activity' })).toHaveAttribute('aria-current', 'page');
    expect(await table()).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Patients' })).not.toBeInTheDocument();
    expect(auditRequests(sent)).toEqual([{ _page: '1', _per_page: '20' }]);
    unmount();

    // A clinician has no link, and the address alone shows the registry instead.
    const clinician = fakeBackend({ signedIn: 'cleo' });
    window.history.replaceState(null, '', '#activity');
    render(<App />);
    expect(await screen.findByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Activity' })).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Activity' })).not.toBeInTheDocument();
    expect(auditRequests(clinician.sent)).toEqual([]);
  });

  it('lists each event: when, who, what, the outcome, which records, from where', async () => {
    activityPage([
      makeAuditEvent({ username: 'cleo', role: 'clinician', action: 'update', patientIds: [5], query: null, detail: null }),
      makeAuditEvent({
        at: '2026-12-01T23:59:59Z',
        username: 'remy',
        role: 'receptionist',
        action: 'search',
        bulk: true,
        patientIds: null,
        rowCount: 1500,
        client: '10.0.0.9',
        query: '_page=1&name_like=*',
      }),
      makeAuditEvent({ username: 'zed', role: null, action: 'login_failed', outcome: 401, patientIds: null, rowCount: null }),
    ]);
    const rows = within(await table()).getAllByRole('row');
    expect(within(rows[0] as HTMLElement).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      'When', 'User', 'Role', 'Action', 'Outcome', 'Patients', 'Rows', 'Client', 'Details',
    ]);
    expect(rows.slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['2026-12-02 14:00:00', 'cleo', 'Clinician', 'Updated', 'Succeeded (200)', '5', '1', '127.0.0.1', '—'],
      ['2026-12-01 23:59:59', 'remy', 'Receptionist', 'SearchedBulk list of over 1,000 rows', 'Succeeded (200)', '—', '1500', '10.0.0.9', '_page=1&name_like=*'],
      ['2026-12-02 14:00:00', 'zed', '—', 'Sign-in refused', 'Refused (401)', '—', '—', '127.0.0.1', '—'],
    ]);
    expect(within(rows[1] as HTMLElement).getByRole('link', { name: '5' })).toHaveAttribute('href', '#patient/5');
    expect(screen.getByText('3 events')).toBeInTheDocument();
  });

  it('filters by action, user and record, from page 1, and the CSV link follows', async () => {
    const events = Array.from({ length: 25 }, () => makeAuditEvent({ action: 'read', patientIds: [5] }));
    const { sent } = activityPage([...events, makeAuditEvent({ action: 'logout', username: 'cleo', patientIds: null })]);
    await user.click(await screen.findByRole('button', { name: /Next/ }));
    expect(await screen.findByText('Page 2 of 2')).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Action'), 'Signed out');
    await user.type(screen.getByLabelText('Username'), ' cleo ');
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    expect(await screen.findByText('1 event')).toBeInTheDocument();
    expect(auditRequests(sent).at(-1)).toEqual({ _page: '1', _per_page: '20', action: 'logout', username: 'cleo' });
    expect(screen.getByRole('link', { name: 'Download CSV' })).toHaveAttribute(
      'href',
      '/audit/export?username=cleo&action=logout',
    );

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await user.type(screen.getByLabelText('Record number'), '5');
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    expect(await screen.findByText('25 events')).toBeInTheDocument();
    expect(auditRequests(sent).at(-1)).toEqual({ _page: '1', _per_page: '20', patientId: '5' });
    expect(screen.getByRole('link', { name: 'Download CSV' })).toHaveAttribute('href', '/audit/export?patientId=5');
  });

  it("sends the dates as the viewer's whole days", async () => {
    const { sent } = activityPage([makeAuditEvent()]);
    await table();
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-12-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-12-02' } });
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    // The tests run in UTC (vite.config.ts), so the viewer's day is the UTC day here.
    expect(auditRequests(sent).at(-1)).toMatchObject({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T23:59:59.999999Z',
    });
  });

  it('checks the filters before asking, and says where they are wrong', async () => {
    const { sent } = activityPage([makeAuditEvent()]);
    await table();
    await user.type(screen.getByLabelText('Record number'), 'P001');
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-12-03' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-12-01' } });
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the filters marked below.');
    expect(screen.getByLabelText('Record number')).toHaveAccessibleDescription(
      /^Enter the record number in digits, for example 12\./,
    );
    expect(screen.getByLabelText('Record number')).toHaveFocus();
    expect(screen.getByLabelText('To')).toHaveAccessibleDescription(/^The end date must not be before the start date\./);
    expect(auditRequests(sent)).toHaveLength(1);
  });

  it('says when nothing matches, in a live region that was there before', async () => {
    activityPage([makeAuditEvent({ action: 'read' })]);
    await table();
    const regions = screen.getAllByRole('status');
    await user.selectOptions(screen.getByLabelText('Action'), 'Purged');
    await user.click(screen.getByRole('button', { name: 'Show events' }));
    expect(regions).toContain(await screen.findByText('No events match.'));
  });

  it('shows a refusal in an alert', async () => {
    fakeBackend({ signedIn: 'ada', routes: { 'GET /audit': () => errorResponse(403, 'Admins only.') } });
    render(<ActivityLog />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the audit events. Admins only.');
  });
});
