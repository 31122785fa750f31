import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import { fakeBackend, makePatient, pathOf } from '../../testing/fakeApi';

const user = userEvent.setup();

/** The page as a receptionist gets it: the server leaves medicalCondition out of every patient. */
async function asReceptionist() {
  const patient = makePatient({ name: 'Rae Front', medicalCondition: 'Secret condition' });
  const backend = fakeBackend({ signedIn: 'remy', patients: [patient] });
  render(<App />);
  await screen.findByRole('cell', { name: 'Rae Front' });
  return { backend, patient };
}

describe('the receptionist view', () => {
  it('has no Medical condition column and no Delete', async () => {
    await asReceptionist();
    const list = screen.getByRole('region', { name: 'Patients' });
    const headers = within(list).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers).toEqual(['Patient ID↕', 'Name↕', 'Age↕', 'Gender↕', 'Last visit↕', 'Actions']);
    expect(screen.queryByText(/Medical condition/)).not.toBeInTheDocument();
    expect(screen.queryByText('Secret condition')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Edit Rae Front/ })).toBeInTheDocument();
    expect(screen.getByText(/Signed in as/)).toHaveTextContent('Signed in as remy (Receptionist)');
  });

  it('registers without a medical condition field, and sends none', async () => {
    const { backend } = await asReceptionist();
    const form = screen.getByRole('region', { name: 'Register a patient' });
    expect(within(form).queryByLabelText('Medical condition')).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText('Patient ID'), 'R100');
    await user.type(within(form).getByLabelText('Name'), 'Nell Desk');
    await user.type(within(form).getByLabelText('Age'), '30');
    await user.selectOptions(within(form).getByLabelText('Gender'), 'Other');
    fireEvent.change(within(form).getByLabelText('Last visit'), { target: { value: '2024-05-02' } });
    await user.click(within(form).getByRole('button', { name: 'Register patient' }));

    expect(await within(form).findByText('Registered Nell Desk with patient ID R100.')).toBeInTheDocument();
    const post = backend.sent.find((r) => r.method === 'POST' && pathOf(r) === '/patients');
    expect(post?.body).toEqual({ patientID: 'R100', name: 'Nell Desk', age: 30, gender: 'Other', lastVisit: '2024-05-02' });
  });

  it('edits demographics only: no medical condition input, none in the PATCH', async () => {
    const { backend, patient } = await asReceptionist();
    await user.click(screen.getByRole('button', { name: /^Edit Rae Front/ }));
    const list = screen.getByRole('region', { name: 'Patients' });
    await user.clear(await within(list).findByLabelText('Name'));
    expect(within(list).queryByLabelText('Medical condition')).not.toBeInTheDocument();
    await user.type(within(list).getByLabelText('Name'), 'Rae Fronts');
    await user.click(within(list).getByRole('button', { name: 'Save changes' }));

    expect(await within(list).findByText(`Saved changes to Rae Fronts (${patient.patientID}).`)).toBeInTheDocument();
    const patch = backend.sent.find((r) => r.method === 'PATCH');
    expect(patch).toMatchObject({ url: `/patients/${patient.id}`, body: { name: 'Rae Fronts' } });
  });

  it('searches by name, not by condition', async () => {
    await asReceptionist();
    const find = screen.getByRole('region', { name: 'Find a patient' });
    expect(within(find).queryByLabelText('Name or condition')).not.toBeInTheDocument();
    await user.type(within(find).getByLabelText('Name'), 'rae');
    await user.click(within(find).getByRole('button', { name: 'Search' }));
    const matches = await within(find).findByRole('table', { name: 'Patients matching rae' });
    expect(within(matches).queryByRole('columnheader', { name: /Medical condition/ })).not.toBeInTheDocument();
    expect(within(matches).queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
  });

  it('finds by patient ID without the condition either', async () => {
    const { patient } = await asReceptionist();
    const find = screen.getByRole('region', { name: 'Find a patient' });
    await user.type(within(find).getByLabelText('Patient ID'), patient.patientID);
    await user.click(within(find).getByRole('button', { name: 'Find' }));
    const found = await within(find).findByRole('table', { name: `Patient with ID ${patient.patientID}` });
    expect(within(found).getAllByRole('columnheader')).toHaveLength(6);
    expect(within(found).queryByRole('button', { name: /^Delete/ })).not.toBeInTheDocument();
  });
});

describe('clinicians and admins', () => {
  it('see the medical condition and may delete', async () => {
    fakeBackend({ signedIn: 'cleo', patients: [makePatient({ name: 'Cal Full', medicalCondition: 'Asthma' })] });
    render(<App />);
    expect(await screen.findByRole('cell', { name: 'Asthma' })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: /Medical condition/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Delete Cal Full/ })).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Register a patient' })).getByLabelText('Medical condition')).toBeInTheDocument();
  });
});
