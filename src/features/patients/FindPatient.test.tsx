import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { envelope, fakeBackend, jsonResponse, makePatient, paramsOf, stubFetch } from '../../testing/fakeApi';
import { FindById } from './FindById';
import { SearchPatients } from './SearchPatients';

const user = userEvent.setup();

describe('FindById', () => {
  it('asks the server with ?patientID= and shows the match', async () => {
    const patient = makePatient({ patientID: 'P003', name: 'Gus Found' });
    const sent = stubFetch(() => jsonResponse([patient]));
    render(<FindById refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Patient ID'), '  p003 ');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByRole('cell', { name: 'Gus Found' })).toBeInTheDocument();
    expect(sent.map((r) => r.url)).toEqual(['/patients?patientID=p003']);
  });

  it('says plainly when no patient has the ID, through a live region already in the page', async () => {
    stubFetch(() => jsonResponse([]));
    render(<FindById refresh={0} onChanged={vi.fn()} />);
    const regions = screen.getAllByRole('status');
    await user.type(screen.getByLabelText('Patient ID'), 'NOPE');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    const message = await screen.findByText('No patient has the ID “NOPE”.');
    expect(regions).toContain(message);
  });

  it('asks for an ID instead of sending an empty lookup', async () => {
    const sent = stubFetch(() => jsonResponse([]));
    render(<FindById refresh={0} onChanged={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Find' }));
    expect(screen.getByLabelText('Patient ID')).toHaveAccessibleDescription('Enter the patient ID to look for.');
    expect(sent).toHaveLength(0);
  });

  it('shows a failed lookup as an alert', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<FindById refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Patient ID'), 'P1');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the patient registry server.');
  });

  it('looks again when the registry changes elsewhere', async () => {
    const sent = stubFetch(() => jsonResponse([]));
    const { rerender } = render(<FindById refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Patient ID'), 'P9');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    await screen.findByText('No patient has the ID “P9”.');
    rerender(<FindById refresh={1} onChanged={vi.fn()} />);
    await vi.waitFor(() => expect(sent).toHaveLength(2));
  });
});

describe('SearchPatients', () => {
  it('announces "no match" through a live region that is in the page before the first search', async () => {
    stubFetch(() => jsonResponse(envelope([], 1, 0, 0)));
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    const regions = screen.getAllByRole('status');
    expect(regions.length).toBeGreaterThan(0);
    await user.type(screen.getByLabelText('Name or condition'), 'zzz');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const message = await screen.findByText('No patients match “zzz”.');
    expect(regions).toContain(message);
    // A second term uses the same region.
    await user.clear(screen.getByLabelText('Name or condition'));
    await user.type(screen.getByLabelText('Name or condition'), 'yyy');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(regions).toContain(await screen.findByText('No patients match “yyy”.'));
  });

  it('starts a new term at page 1, unsorted', async () => {
    const many = Array.from({ length: 20 }, () => makePatient());
    const sent = stubFetch((request) => jsonResponse(envelope(many, paramsOf(request)._page === '2' ? 2 : 1, 2, 25)));
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Name or condition'), 'a');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await user.click(await screen.findByRole('button', { name: /Next/ }));
    await user.click(within(screen.getByRole('columnheader', { name: /Age/ })).getByRole('button'));
    await user.type(screen.getByLabelText('Name or condition'), 'b');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    await vi.waitFor(() => expect(paramsOf(sent.at(-1))).toEqual({ _page: '1', _per_page: '20', q: 'ab' }));
  });

  it('searches name and condition with q and pages the matches', async () => {
    const sent = stubFetch(() => jsonResponse(envelope([makePatient({ name: 'Hal Asthma' })], 1, 1, 1)));
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Name or condition'), 'asthma');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('1 patient matching “asthma”')).toBeInTheDocument();
    expect(paramsOf(sent[0])).toEqual({ _page: '1', _per_page: '20', q: 'asthma' });
  });
});

describe('"Did you mean" after a search that found nobody', () => {
  const patients = () => [
    makePatient({ id: 7, patientID: 'P007', name: 'John Smith' }),
    makePatient({ id: 8, patientID: 'P008', name: 'Joan Smith' }),
    makePatient({ id: 9, patientID: 'P009', name: 'Zed Other' }),
  ];

  async function search(text: string) {
    await user.clear(screen.getByLabelText(/^Name/));
    await user.type(screen.getByLabelText(/^Name/), text);
    await user.click(screen.getByRole('button', { name: 'Search' }));
  }

  it('offers patients with a similar name, each a link to their record', async () => {
    const { sent } = fakeBackend({ signedIn: 'cleo', patients: patients() });
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    const regions = screen.getAllByRole('status');
    await search('jon smth');
    expect(await screen.findByText('No patients match “jon smth”.')).toBeInTheDocument();
    const offer = await screen.findByText(/^Did you mean:/);
    expect(regions).toContain(offer.parentElement);
    expect(within(offer).getAllByRole('link').map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['John Smith (P007)', '#patient/7'],
      ['Joan Smith (P008)', '#patient/8'],
    ]);
    expect(paramsOf(sent.find((r) => paramsOf(r).name_similar !== undefined))).toEqual({
      name_similar: 'jon smth',
      _limit: '5',
    });
  });

  it('asks nothing more when the search found someone, and drops the offer', async () => {
    const { sent } = fakeBackend({ signedIn: 'remy', patients: patients() });
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    await search('jon smth');
    await screen.findByText(/^Did you mean:/);
    await search('john');
    expect(await screen.findByText('1 patient matching “john”')).toBeInTheDocument();
    expect(screen.queryByText(/^Did you mean:/)).not.toBeInTheDocument();
    expect(sent.filter((r) => paramsOf(r).name_similar !== undefined)).toHaveLength(1);
  });

  it('offers nothing for a term without a letter, nor when no name is like it', async () => {
    const { sent } = fakeBackend({ signedIn: 'cleo', patients: patients() });
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    await search('2024-01');
    await screen.findByText('No patients match “2024-01”.');
    expect(sent.some((r) => paramsOf(r).name_similar !== undefined)).toBe(false);
    await search('qqqqqqqqqq');
    await screen.findByText('No patients match “qqqqqqqqqq”.');
    await vi.waitFor(() => expect(sent.filter((r) => paramsOf(r).name_similar !== undefined)).toHaveLength(1));
    expect(screen.queryByText(/^Did you mean:/)).not.toBeInTheDocument();
  });
});
