import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { fakeBackend, makeDeletedPatient, makePatient, pathOf, type SentRequest } from '../../testing/fakeApi';
import { DeletedPatients } from './DeletedPatients';

const user = userEvent.setup();

const writes = (sent: SentRequest[]) =>
  sent.filter((r) => r.method !== 'GET').map(({ method, url, body }) => ({ method, url, body }));

const rowOf = (name: string) =>
  screen.getAllByRole('row').find((row) => within(row).queryByRole('cell', { name })) ??
  (() => {
    throw new Error(`no row for ${name}`);
  })();

async function deletedPage(options: Parameters<typeof fakeBackend>[0] = {}) {
  const gone = makeDeletedPatient({ id: 4, patientID: 'P004', name: 'Gil Gone', deleteReason: 'Registered twice' });
  const other = makeDeletedPatient({ id: 6, patientID: 'P006', name: 'Oda Other', deletedBy: null });
  const backend = fakeBackend({ signedIn: 'ada', deleted: [gone, other], ...options });
  const onChanged = vi.fn();
  render(<DeletedPatients refresh={0} onChanged={onChanged} />);
  await screen.findByRole('cell', { name: 'Gil Gone' });
  return { backend, onChanged };
}

describe('the Deleted patients page', () => {
  it('is in the navigation for admins only', async () => {
    fakeBackend({ signedIn: 'ada', deleted: [makeDeletedPatient({ name: 'Gil Gone' })] });
    const { unmount } = render(<App />);
    await user.click(await screen.findByRole('link', { name: 'Deleted patients' }));
    expect(await screen.findByRole('heading', { name: 'Deleted patients' })).toHaveFocus();
    expect(await screen.findByRole('cell', { name: 'Gil Gone' })).toBeInTheDocument();
    unmount();

    const { sent } = fakeBackend({ signedIn: 'cleo' });
    window.history.replaceState(null, '', '#deleted-patients');
    render(<App />);
    expect(await screen.findByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Deleted patients' })).not.toBeInTheDocument();
    expect(sent.some((r) => pathOf(r) === '/deleted-patients')).toBe(false);
  });

  it('lists each deleted patient with when, by whom and why', async () => {
    await deletedPage();
    const table = screen.getByRole('table', { name: 'Deleted patients' });
    expect(within(table).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').slice(0, 5).map((c) => c.textContent))).toEqual([
      ['P004', 'Gil Gone', '2026-12-01 09:30:00', 'cleo', 'Registered twice'],
      ['P006', 'Oda Other', '2026-12-01 09:30:00', '—', '—'],
    ]);
    expect(screen.getByText('2 deleted patients')).toBeInTheDocument();
  });

  it('shows a merged record as "Merged into #7", a link to the patient kept', async () => {
    const merged = makeDeletedPatient({
      id: 12,
      patientID: 'P012',
      name: 'Jon Smith',
      deletedBy: 'ada',
      deleteReason: 'Merged into patient 7',
      mergedInto: 7,
    });
    fakeBackend({ signedIn: 'ada', deleted: [merged] });
    render(<DeletedPatients refresh={0} onChanged={vi.fn()} />);
    await screen.findByRole('cell', { name: 'Jon Smith' });
    const row = rowOf('Jon Smith');
    expect(within(row).getByRole('link', { name: 'Merged into #7' })).toHaveAttribute('href', '#patient/7');
    expect(within(row).queryByText('Merged into patient 7')).not.toBeInTheDocument();
  });

  it('restores a patient: the row goes, the notice says so and takes the focus', async () => {
    const { backend, onChanged } = await deletedPage();
    await user.click(within(rowOf('Gil Gone')).getByRole('button', { name: 'Restore Gil Gone (P004)' }));
    expect(await screen.findByText('Restored Gil Gone (P004). It is back in the patient list.')).toHaveFocus();
    expect(screen.queryByRole('cell', { name: 'Gil Gone' })).not.toBeInTheDocument();
    expect(writes(backend.sent)).toEqual([{ method: 'POST', url: '/deleted-patients/4/restore', body: undefined }]);
    expect(backend.patients.map((p) => p.id)).toEqual([4]);
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it("shows a refused restore (409) in the row, in the server's words", async () => {
    const { onChanged } = await deletedPage({ patients: [makePatient({ patientID: 'p004' })] });
    await user.click(within(rowOf('Gil Gone')).getByRole('button', { name: /^Restore Gil Gone/ }));
    expect(await within(rowOf('Gil Gone')).findByRole('alert')).toHaveTextContent(
      'patientID P004 now belongs to another patient; change that one first.',
    );
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('purges only with a reason, after a second step', async () => {
    const { backend, onChanged } = await deletedPage();
    await user.click(within(rowOf('Gil Gone')).getByRole('button', { name: 'Purge Gil Gone (P004)' }));
    const reason = screen.getByLabelText('Reason for purging Gil Gone (P004)');
    expect(reason).toHaveFocus();
    expect(reason).toHaveAccessibleDescription(/^Required\. The record and its history are removed for good/);

    await user.click(screen.getByRole('button', { name: 'Purge for good' }));
    expect(reason).toHaveAccessibleDescription(/^Enter the reason\./);
    expect(reason).toHaveAttribute('aria-invalid', 'true');
    expect(writes(backend.sent)).toEqual([]);

    await user.type(reason, ' Test record, never a patient ');
    await user.click(screen.getByRole('button', { name: 'Purge for good' }));
    expect(await screen.findByText('Purged Gil Gone (P004) for good.')).toHaveFocus();
    expect(writes(backend.sent)).toEqual([
      { method: 'DELETE', url: '/deleted-patients/4', body: { reason: 'Test record, never a patient' } },
    ]);
    expect(backend.deleted.map((p) => p.id)).toEqual([6]);
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it('closes the purge step with Escape, sending nothing, the focus back on Purge', async () => {
    const { backend } = await deletedPage();
    await user.click(within(rowOf('Gil Gone')).getByRole('button', { name: /^Purge Gil Gone/ }));
    await user.type(screen.getByLabelText(/^Reason for purging/), 'no');
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText(/^Reason for purging/)).not.toBeInTheDocument();
    expect(within(rowOf('Gil Gone')).getByRole('button', { name: /^Purge Gil Gone/ })).toHaveFocus();
    expect(writes(backend.sent)).toEqual([]);
  });

  it('says when there are none, in a live region that was there before the answer', async () => {
    fakeBackend({ signedIn: 'ada' });
    render(<DeletedPatients refresh={0} onChanged={vi.fn()} />);
    const regions = screen.getAllByRole('status');
    expect(regions).toContain(await screen.findByText('No deleted patients.'));
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });
});
