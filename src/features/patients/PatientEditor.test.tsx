import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import type { Patient } from '../../lib/api/types';
import { fakeBackend, makePatient, pathOf, type SentRequest } from '../../testing/fakeApi';

const user = userEvent.setup();

const region = (name: string) => screen.getByRole('region', { name });
const writes = (sent: SentRequest[], method: string) => sent.filter((r) => r.method === method);

/** Signed in as a clinician with `patient` in the list; the list shown. */
async function listing(patient: Patient) {
  const backend = fakeBackend({ signedIn: 'cleo', patients: [patient] });
  render(<App />);
  await screen.findByRole('cell', { name: patient.name });
  return backend;
}

/** Opens the patient's edit form in the list and waits for the record it fetches. */
async function openEditor(patient: Patient) {
  const list = region('Patients');
  await user.click(within(list).getByRole('button', { name: `Edit ${patient.name} (${patient.patientID})` }));
  await within(list).findByLabelText('Name');
  return list;
}

async function typeInto(scope: HTMLElement, label: string, value: string) {
  await user.clear(within(scope).getByLabelText(label));
  await user.type(within(scope).getByLabelText(label), value);
}

describe('two staff editing one patient (If-Match)', () => {
  it('fills the edit form from the record fetched when it opens, and saves with its ETag in If-Match', async () => {
    const patient = makePatient({ name: 'Gus Old', age: 30 });
    const backend = await listing(patient);
    backend.editElsewhere(patient.id, { age: 31 }); // the list still shows 30, at version 1

    const list = await openEditor(patient);
    expect(backend.sent.filter((r) => r.method === 'GET' && pathOf(r) === `/patients/${patient.id}`)).toHaveLength(1);
    expect(within(list).getByLabelText('Age')).toHaveValue('31');
    await typeInto(list, 'Name', 'Gus New');
    await user.click(within(list).getByRole('button', { name: 'Save changes' }));

    expect(await within(list).findByText(`Saved changes to Gus New (${patient.patientID}).`)).toBeInTheDocument();
    expect(writes(backend.sent, 'PATCH')).toEqual([
      { method: 'PATCH', url: `/patients/${patient.id}`, body: { name: 'Gus New' }, ifMatch: '"2"' },
    ]);
  });

  it('on 412 shows their version beside the unsaved one; Reload takes theirs and its ETag for the next save', async () => {
    const patient = makePatient({ name: 'Hal Orig', age: 40 });
    const backend = await listing(patient);
    const list = await openEditor(patient);
    backend.editElsewhere(patient.id, { name: 'Hal Theirs' }); // saved by someone else meanwhile
    await typeInto(list, 'Age', '45');
    await user.click(within(list).getByRole('button', { name: 'Save changes' }));

    const alert = await within(list).findByRole('alert');
    expect(alert).toHaveTextContent('This patient was changed by someone else');
    const table = within(alert).getByRole('table', { name: 'Their version and yours' });
    const rows = within(table).getAllByRole('row').map((row) => [...row.children].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['Field', 'Their version (saved)', 'Your version (not saved)'],
      ['Name', 'Hal Theirs', 'Hal Orig'],
      ['Age', '40', '45'],
    ]);
    // Refused, and not tried again: their change stands.
    expect(writes(backend.sent, 'PATCH').map((r) => r.ifMatch)).toEqual(['"1"']);
    expect(backend.patients[0]).toMatchObject({ name: 'Hal Theirs', age: 40 });

    await user.click(within(alert).getByRole('button', { name: 'Reload their version' }));
    expect(within(list).queryByRole('alert')).not.toBeInTheDocument();
    expect(within(list).getByLabelText('Name')).toHaveValue('Hal Theirs');
    expect(within(list).getByLabelText('Age')).toHaveValue('40');
    expect(within(list).getByLabelText('Patient ID')).toHaveFocus();

    await typeInto(list, 'Age', '45');
    await user.click(within(list).getByRole('button', { name: 'Save changes' }));
    expect(await within(list).findByText(`Saved changes to Hal Theirs (${patient.patientID}).`)).toBeInTheDocument();
    expect(writes(backend.sent, 'PATCH').map(({ body, ifMatch }) => [body, ifMatch])).toEqual([
      [{ age: 45 }, '"1"'],
      [{ age: 45 }, '"2"'],
    ]);
    expect(backend.patients[0]).toMatchObject({ name: 'Hal Theirs', age: 45 });
  });

  it('deletes from the record page only if the record shown is still the current one', async () => {
    const patient = makePatient({ name: 'Ida Shown' });
    const backend = await listing(patient);
    await user.click(screen.getByRole('link', { name: `Open Ida Shown (${patient.patientID})` }));
    const record = region('Patient record');
    await within(record).findByRole('cell', { name: 'Ida Shown' });
    backend.editElsewhere(patient.id, { age: 77 });

    await user.click(within(record).getByRole('button', { name: /^Delete Ida Shown/ }));
    await user.click(within(record).getByRole('button', { name: 'Yes, delete' }));
    expect(await within(record).findByRole('alert')).toHaveTextContent(
      'Could not delete: The patient was changed by someone else since you read it; reload it and try again.',
    );
    expect(writes(backend.sent, 'DELETE').map((r) => r.ifMatch)).toEqual(['"1"']);
    expect(backend.patients).toHaveLength(1);
  });
});
