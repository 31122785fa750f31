import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Patient } from '../../lib/api/types';
import { envelope, jsonResponse, makePatient, paramsOf, stubFetch, type SentRequest } from '../../testing/fakeApi';
import { PatientList } from './PatientList';

const user = userEvent.setup();

/** A list that reloads when it reports a change, as the App wires it. */
function Harness({ search }: { search?: string }) {
  const [refresh, setRefresh] = useState(0);
  return <PatientList label="All patients" search={search} refresh={refresh} onChanged={() => setRefresh((n) => n + 1)} />;
}

const listRequests = (sent: SentRequest[]) => sent.filter((r) => r.method === 'GET').map(paramsOf);

describe('PatientList paging and sorting', () => {
  const first = Array.from({ length: 20 }, () => makePatient());
  const second = Array.from({ length: 5 }, () => makePatient());

  function serveTwoPages() {
    return stubFetch((request) => {
      const page = paramsOf(request)._page === '2' ? 2 : 1;
      return jsonResponse(envelope(page === 1 ? first : second, page, 2, 25));
    });
  }

  it('asks the server for page 1 of 20 and shows the total', async () => {
    const sent = serveTwoPages();
    render(<Harness />);
    expect(await screen.findByText('25 patients')).toBeInTheDocument();
    expect(listRequests(sent)).toEqual([{ _page: '1', _per_page: '20' }]);
    expect(screen.getAllByRole('row')).toHaveLength(21); // header + 20
    expect(screen.getByText('Page 1 of 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Previous/ })).toBeDisabled();
  });

  it('moves between pages with _page', async () => {
    const sent = serveTwoPages();
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Next/ }));
    expect(await screen.findByText('Page 2 of 2')).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: second[0]?.name })).toBeInTheDocument();
    expect(listRequests(sent).at(-1)).toEqual({ _page: '2', _per_page: '20' });
    expect(screen.getByRole('button', { name: /Next/ })).toBeDisabled();
  });

  it('sorts by a column: _sort=name, then -name, and back to page 1', async () => {
    const sent = serveTwoPages();
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Next/ }));
    await screen.findByText('Page 2 of 2');

    const nameHeader = screen.getByRole('columnheader', { name: /Name/ });
    expect(nameHeader).toHaveAttribute('aria-sort', 'none');
    await user.click(within(nameHeader).getByRole('button'));
    expect(listRequests(sent).at(-1)).toEqual({ _page: '1', _per_page: '20', _sort: 'name' });
    expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');

    await user.click(within(nameHeader).getByRole('button'));
    expect(listRequests(sent).at(-1)).toEqual({ _page: '1', _per_page: '20', _sort: '-name' });
    expect(nameHeader).toHaveAttribute('aria-sort', 'descending');

    const ageHeader = screen.getByRole('columnheader', { name: /Age/ });
    await user.click(within(ageHeader).getByRole('button'));
    expect(listRequests(sent).at(-1)).toEqual({ _page: '1', _per_page: '20', _sort: 'age' });
    expect(nameHeader).toHaveAttribute('aria-sort', 'none');
  });

  it('passes a search term as q', async () => {
    const sent = stubFetch(() => jsonResponse(envelope([makePatient({ name: 'Ann Diabetic' })], 1, 1, 1)));
    render(<Harness search="diab" />);
    expect(await screen.findByText('1 patient matching “diab”')).toBeInTheDocument();
    expect(listRequests(sent)).toEqual([{ _page: '1', _per_page: '20', q: 'diab' }]);
  });
});

describe('PatientList states', () => {
  it('says when there are no patients, in a live region that was there before the answer', async () => {
    let answer: (response: Response) => void = () => undefined;
    stubFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    render(<Harness />);
    const regions = screen.getAllByRole('status');
    expect(regions.every((region) => region.textContent === '')).toBe(true);
    answer(jsonResponse(envelope([], 1, 0, 0)));
    const message = await screen.findByText('No patients registered yet.');
    expect(regions).toContain(message);
  });

  it('shows a load failure as an alert and retries on request', async () => {
    let fail = true;
    stubFetch(() =>
      fail ? new Response('', { status: 503 }) : jsonResponse(envelope([makePatient()], 1, 1, 1)),
    );
    render(<Harness />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load patients. The patient database is unavailable right now.',
    );
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('1 patient')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('editing and deleting from the list', () => {
  function serve(patients: Patient[]) {
    return stubFetch(({ method, url, body }) => {
      const id = url.split('/').pop();
      const index = patients.findIndex((p) => String(p.id) === id);
      if (method === 'PATCH') {
        patients[index] = { ...patients[index], ...(body as object) } as Patient;
        return jsonResponse(patients[index]);
      }
      if (method === 'DELETE') return jsonResponse(patients.splice(index, 1)[0]);
      // The edit form fetches its record first, for the version (ETag) its save names.
      if (index >= 0) return jsonResponse(patients[index], 200, { ETag: '"1"' });
      return jsonResponse(envelope([...patients], 1, 1, patients.length));
    });
  }

  it('edits inline and sends only the changed fields with PATCH', async () => {
    const patient = makePatient({ id: '3e3a', name: 'Bo Jensen', age: 50 });
    const sent = serve([patient]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: `Edit Bo Jensen (${patient.patientID})` }));
    const age = await screen.findByLabelText('Age');
    expect(screen.getByLabelText('Patient ID')).toHaveFocus();
    await user.clear(age);
    await user.type(age, '51');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByText(`Saved changes to Bo Jensen (${patient.patientID}).`)).toBeInTheDocument();
    expect(sent.find((r) => r.method === 'PATCH')).toEqual({
      method: 'PATCH',
      url: '/patients/3e3a',
      body: { age: 51 },
      ifMatch: '"1"',
    });
    expect(screen.getByRole('cell', { name: '51' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Edit Bo Jensen/ })).toHaveFocus();
  });

  it('closes the edit row with Escape, without saving, and gives the focus back to Edit', async () => {
    const patient = makePatient({ name: 'Esc Ape', age: 30 });
    const sent = serve([patient]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Edit Esc Ape/ }));
    const age = await screen.findByLabelText('Age');
    await user.clear(age);
    await user.type(age, '31');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('button', { name: 'Save changes' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Edit Esc Ape/ })).toHaveFocus();
    expect(screen.getByRole('button', { name: /Edit Esc Ape/ })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByRole('cell', { name: '30' })).toBeInTheDocument();
    expect(sent.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('checks the rules in the edit form too', async () => {
    const sent = serve([makePatient({ name: 'Cy Rule' })]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Edit Cy Rule/ }));
    await user.clear(await screen.findByLabelText('Name'));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription("Enter the patient's name.");
    expect(sent.some((r) => r.method === 'PATCH')).toBe(false);
  });

  it('deletes only after confirmation, and the row goes at once', async () => {
    const patient = makePatient({ name: 'Di Gone' });
    const sent = serve([patient, makePatient({ name: 'Ed Stays' })]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Delete Di Gone/ }));
    expect(sent.some((r) => r.method === 'DELETE')).toBe(false);
    const confirm = screen.getByRole('group', { name: /Confirm deleting Di Gone/ });
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();

    await user.click(within(confirm).getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByText(`Deleted Di Gone (${patient.patientID}).`)).toHaveFocus();
    expect(screen.queryByRole('cell', { name: 'Di Gone' })).not.toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Ed Stays' })).toBeInTheDocument();
    expect(sent.find((r) => r.method === 'DELETE')?.url).toBe(`/patients/${patient.id}`);
    expect(await screen.findByText('1 patient')).toBeInTheDocument();
  });

  it('sends the reason given for a delete, and none when the box is left empty', async () => {
    const [first, second] = [makePatient({ name: 'Ivy Why' }), makePatient({ name: 'Jo Plain' })];
    const sent = serve([first, second] as Patient[]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Delete Ivy Why/ }));
    await user.type(screen.getByLabelText('Reason (optional)'), 'Moved away');
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await screen.findByText(/^Deleted Ivy Why/);
    await user.click(screen.getByRole('button', { name: /Delete Jo Plain/ }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await screen.findByText(/^Deleted Jo Plain/);
    expect(sent.filter((r) => r.method === 'DELETE').map(({ url, body }) => [url, body])).toEqual([
      [`/patients/${first?.id}`, { reason: 'Moved away' }],
      [`/patients/${second?.id}`, undefined],
    ]);
  });

  it('closes the delete confirmation with Escape, the focus back on Delete', async () => {
    const sent = serve([makePatient({ name: 'Kit Stays' })]);
    render(<Harness />);
    await user.click(await screen.findByRole('button', { name: /Delete Kit Stays/ }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: /Confirm deleting/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Delete Kit Stays/ })).toHaveFocus();
    expect(sent.some((r) => r.method === 'DELETE')).toBe(false);
  });

  it("links each row to the patient's record page", async () => {
    const patient = makePatient({ id: 'a/1', name: 'Lou Link' });
    serve([patient]);
    render(<Harness />);
    expect(await screen.findByRole('link', { name: `Open Lou Link (${patient.patientID})` })).toHaveAttribute(
      'href',
      '#patient/a%2F1',
    );
  });

  it('keeps the row and explains when the delete fails', async () => {
    stubFetch(({ method }) =>
      method === 'DELETE'
        ? new Response('Not Found', { status: 404 })
        : jsonResponse(envelope([makePatient({ name: 'Fay Kept' })], 1, 1, 1)),
    );
    const onChanged = vi.fn();
    render(<PatientList label="All patients" refresh={0} onChanged={onChanged} />);
    await user.click(await screen.findByRole('button', { name: /Delete Fay Kept/ }));
    await user.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not delete: That patient was not found.');
    expect(screen.getByRole('cell', { name: 'Fay Kept' })).toBeInTheDocument();
    expect(onChanged).not.toHaveBeenCalled();
  });
});
