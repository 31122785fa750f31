import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { fakeBackend, makePair, makePatient, pathOf, type SentRequest } from '../../testing/fakeApi';
import { DuplicatePairs } from './DuplicatePairs';

const user = userEvent.setup();

const writes = (sent: SentRequest[]) =>
  sent.filter((r) => r.method !== 'GET').map(({ method, url, body }) => ({ method, url, body }));

function registry() {
  const john = makePatient({ id: 7, patientID: 'P007', name: 'John Smith', age: 45, gender: 'Male', lastVisit: '2024-01-15' });
  const jon = makePatient({ id: 12, patientID: 'P012', name: 'Jon Smith', age: 46, gender: 'Male', lastVisit: '2025-02-01' });
  const ann = makePatient({ id: 20, patientID: 'P020', name: 'Ann Lee' });
  const anne = makePatient({ id: 21, patientID: 'P021', name: 'Anne Lee' });
  return {
    john,
    jon,
    patients: [john, jon, ann, anne],
    duplicates: [
      makePair(john, jon, { score: 0.912, grade: 'certain', reasons: ['name spelled similarly', 'age one year apart', 'same gender'] }),
      makePair(ann, anne, { score: 0.8, grade: 'probable', reasons: ['name spelled similarly'] }),
    ],
  };
}

/** The page on its own, as `signedIn` (the admin unless said otherwise). */
async function duplicatesPage(options: { signedIn?: string; canMerge?: boolean; pending?: number } = {}) {
  const data = registry();
  const backend = fakeBackend({ signedIn: options.signedIn ?? 'ada', ...data, pending: options.pending });
  const onChanged = vi.fn();
  const { rerender } = render(<DuplicatePairs canMerge={options.canMerge ?? true} refresh={0} onChanged={onChanged} />);
  await screen.findAllByRole('article');
  return { ...data, backend, onChanged, rerender };
}

const pair = (name: RegExp | string) => screen.getByRole('article', { name });

describe('the Possible duplicates page', () => {
  it('is in the navigation for clinicians and admins, never for receptionists', async () => {
    for (const username of ['ada', 'cleo']) {
      const { duplicates, patients } = registry();
      fakeBackend({ signedIn: username, patients, duplicates });
      const { unmount } = render(<App />);
      await user.click(await screen.findByRole('link', { name: 'Possible duplicates' }));
      expect(await screen.findByRole('heading', { name: 'Possible duplicates' })).toHaveFocus();
      expect(await screen.findByText('2 possible duplicate pairs')).toBeInTheDocument();
      unmount();
      window.history.replaceState(null, '', '/');
    }

    const { sent } = fakeBackend({ signedIn: 'remy' });
    window.history.replaceState(null, '', '#duplicates');
    render(<App />);
    expect(await screen.findByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Possible duplicates' })).not.toBeInTheDocument();
    expect(sent.some((r) => pathOf(r) === '/duplicates')).toBe(false);
  });

  it('lists each pair side by side with its grade, score and reasons', async () => {
    const { backend } = await duplicatesPage({ pending: 3 });
    expect(screen.getAllByRole('article').map((article) => within(article).getByRole('heading').textContent)).toEqual([
      'John Smith (P007) and Jon Smith (P012)',
      'Ann Lee (P020) and Anne Lee (P021)',
    ]);
    const first = pair('John Smith (P007) and Jon Smith (P012)');
    expect(within(first).getByText('Certain')).toBeInTheDocument();
    expect(within(first).getByText('91%')).toBeInTheDocument();
    expect(within(first).getByText('name spelled similarly, age one year apart, same gender')).toBeInTheDocument();
    const rows = within(within(first).getByRole('table')).getAllByRole('row');
    expect(rows.map((row) => [...row.children].map((cell) => cell.textContent)).slice(0, 4)).toEqual([
      ['Field', 'Record #7', 'Record #12'],
      ['Patient ID', 'P007', 'P012'],
      ['Name', 'John Smith', 'Jon Smith'],
      ['Age', '45', '46'],
    ]);
    expect(within(first).getByRole('link', { name: 'Open record #12' })).toHaveAttribute('href', '#patient/12');
    expect(screen.getByText('2 possible duplicate pairs')).toBeInTheDocument();
    expect(screen.getByText(/^3 patients still being checked/)).toBeInTheDocument();
    expect(backend.sent.find((r) => pathOf(r) === '/duplicates')?.url).toBe('/duplicates?_page=1&_per_page=10');
  });

  it('says when there are none, and nothing about pending checks when there are none', async () => {
    fakeBackend({ signedIn: 'cleo' });
    render(<DuplicatePairs canMerge={false} refresh={0} onChanged={vi.fn()} />);
    expect(await screen.findByText('No possible duplicates.')).toBeInTheDocument();
    expect(screen.queryByText(/still being checked/)).not.toBeInTheDocument();
  });

  it('marks a pair as two different people: the pair goes and the page reloads', async () => {
    const { backend, onChanged, rerender } = await duplicatesPage({ signedIn: 'cleo', canMerge: false });
    const first = pair(/^John Smith/);
    const button = within(first).getByRole('button', { name: 'Not a duplicate' });
    expect(button).toHaveAccessibleDescription('John Smith (P007) and Jon Smith (P012)');
    await user.click(button);
    expect(await screen.findByText('Marked John Smith (P007) and Jon Smith (P012) as two different patients.')).toHaveFocus();
    expect(writes(backend.sent)).toEqual([{ method: 'POST', url: '/duplicates/not-duplicate', body: { a: 7, b: 12 } }]);
    expect(onChanged).toHaveBeenCalledOnce();
    rerender(<DuplicatePairs canMerge={false} refresh={1} onChanged={onChanged} />);
    expect(await screen.findByText('1 possible duplicate pair')).toBeInTheDocument();
    expect(screen.queryByRole('article', { name: /^John Smith/ })).not.toBeInTheDocument();
  });

  it('offers no Merge to a clinician', async () => {
    await duplicatesPage({ signedIn: 'cleo', canMerge: false });
    expect(screen.getAllByRole('button', { name: 'Not a duplicate' })).toHaveLength(2);
    expect(screen.queryByRole('button', { name: /^Merge/ })).not.toBeInTheDocument();
  });
});

describe('merging a pair (admins)', () => {
  async function openMerge() {
    const page = await duplicatesPage();
    await user.click(within(pair(/^John Smith/)).getByRole('button', { name: 'Merge…' }));
    return page;
  }

  it('keeps the older record by default, and each differing field its own value', async () => {
    await openMerge();
    const first = pair(/^John Smith/);
    const keep = within(first).getByRole('group', { name: 'Keep which record?' });
    expect(within(keep).getByRole('radio', { name: 'Record #7: John Smith (P007), registered first' })).toBeChecked();
    expect(within(keep).getByRole('radio', { name: 'Record #7: John Smith (P007), registered first' })).toHaveFocus();
    // patientID is never a choice; medical condition and gender are the same in both.
    const choices = within(first).getAllByRole('group').map((group) => group.querySelector('legend')?.textContent);
    expect(choices).toEqual(['Keep which record?', 'Name', 'Age', 'Last visit']);
    expect(within(first).getByRole('radio', { name: 'John Smith (record #7)' })).toBeChecked();
    expect(within(first).getByRole('radio', { name: '46 (record #12)' })).not.toBeChecked();
  });

  it('sends only the values chosen from the removed record, then says what happened', async () => {
    const { backend, onChanged } = await openMerge();
    const first = pair(/^John Smith/);
    await user.click(within(first).getByRole('radio', { name: '46 (record #12)' }));
    await user.click(within(first).getByRole('radio', { name: '2025-02-01 (record #12)' }));
    await user.click(within(first).getByRole('button', { name: 'Merge' }));

    expect(await screen.findByText('Merged: patient #7 kept, #12 removed.')).toHaveFocus();
    expect(writes(backend.sent)).toEqual([
      { method: 'POST', url: '/duplicates/merge', body: { keep: 7, remove: 12, values: { age: 46, lastVisit: '2025-02-01' } } },
    ]);
    expect(screen.queryByRole('article', { name: /^John Smith/ })).not.toBeInTheDocument();
    expect(onChanged).toHaveBeenCalledOnce();
    expect(backend.patients.find((p) => p.id === 7)).toMatchObject({ name: 'John Smith', age: 46, lastVisit: '2025-02-01' });
    expect(backend.deleted[0]).toMatchObject({ id: 12, mergedInto: 7 });
  });

  it('keeps the other record when asked: its own values by default, no values sent', async () => {
    const { backend } = await openMerge();
    const first = pair(/^John Smith/);
    await user.click(within(first).getByRole('radio', { name: 'John Smith (record #7)' })); // a choice, then…
    await user.click(within(first).getByRole('radio', { name: 'Record #12: Jon Smith (P012)' }));
    expect(within(first).getByRole('radio', { name: 'Jon Smith (record #12)' })).toBeChecked(); // …reset
    await user.click(within(first).getByRole('button', { name: 'Merge' }));
    expect(await screen.findByText('Merged: patient #12 kept, #7 removed.')).toBeInTheDocument();
    expect(writes(backend.sent)).toEqual([{ method: 'POST', url: '/duplicates/merge', body: { keep: 12, remove: 7 } }]);
  });

  it('closes with Escape or Cancel, sending nothing, the focus back on Merge…', async () => {
    const { backend } = await openMerge();
    await user.keyboard('{Escape}');
    const first = pair(/^John Smith/);
    expect(within(first).queryByRole('group', { name: 'Keep which record?' })).not.toBeInTheDocument();
    expect(within(first).getByRole('button', { name: 'Merge…' })).toHaveFocus();
    await user.click(within(first).getByRole('button', { name: 'Merge…' }));
    await user.click(within(first).getByRole('button', { name: 'Cancel' }));
    expect(within(first).getByRole('button', { name: 'Merge…' })).toHaveFocus();
    expect(writes(backend.sent)).toEqual([]);
  });

  it("shows a refused merge in the pair, in the server's words", async () => {
    const { backend } = await openMerge();
    backend.patients.splice(1, 1); // #12 deleted meanwhile
    const first = pair(/^John Smith/);
    await user.click(within(first).getByRole('button', { name: 'Merge' }));
    expect(await within(first).findByRole('alert')).toHaveTextContent('Could not merge: No such patient.');
    expect(within(first).getByRole('button', { name: 'Merge' })).toBeEnabled();
  });
});
