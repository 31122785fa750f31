import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { envelope, jsonResponse, makePatient, paramsOf, stubFetch } from '../../testing/fakeApi';
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

  it('says plainly when no patient has the ID', async () => {
    stubFetch(() => jsonResponse([]));
    render(<FindById refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Patient ID'), 'NOPE');
    await user.click(screen.getByRole('button', { name: 'Find' }));
    expect(await screen.findByText('No patient has the ID “NOPE”.')).toBeInTheDocument();
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
  it('searches name and condition with q and pages the matches', async () => {
    const sent = stubFetch(() => jsonResponse(envelope([makePatient({ name: 'Hal Asthma' })], 1, 1, 1)));
    render(<SearchPatients refresh={0} onChanged={vi.fn()} />);
    await user.type(screen.getByLabelText('Name or condition'), 'asthma');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('1 patient matching “asthma”')).toBeInTheDocument();
    expect(paramsOf(sent[0])).toEqual({ _page: '1', _per_page: '20', q: 'asthma' });
  });
});
