import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { jsonResponse, stubFetch } from '../../testing/fakeApi';
import { RegisterPatient } from './RegisterPatient';

const user = userEvent.setup();

async function fillForm(values: Partial<Record<string, string>> = {}) {
  const all = {
    'Patient ID': 'P100',
    Name: 'Ada Lovelace',
    Age: '36',
    'Medical condition': 'Migraine',
    ...values,
  };
  for (const [label, value] of Object.entries(all)) {
    const input = screen.getByLabelText(label);
    await user.clear(input);
    if (value) await user.type(input, value);
  }
  await user.selectOptions(screen.getByLabelText('Gender'), values.Gender ?? 'Female');
  // jsdom has no date picker to type into; a change event is what the browser sends.
  fireEvent.change(screen.getByLabelText('Last visit'), { target: { value: values['Last visit'] ?? '2024-05-02' } });
}

const submit = () => user.click(screen.getByRole('button', { name: 'Register patient' }));

/** The message shown under a field, via the input's accessible description. */
const messageFor = (label: string) => screen.getByLabelText(label);

describe('RegisterPatient', () => {
  it('shows six labelled fields, Gender as a Male/Female/Other select', () => {
    render(<RegisterPatient onRegistered={vi.fn()} />);
    for (const label of ['Patient ID', 'Name', 'Age', 'Gender', 'Medical condition', 'Last visit']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    const options = within(screen.getByLabelText('Gender')).getAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual(['Choose…', 'Male', 'Female', 'Other']);
    expect(screen.getByLabelText('Last visit')).toHaveAttribute('type', 'date');
  });

  it('checks every rule before sending and sends nothing when one fails', async () => {
    const sent = stubFetch(() => jsonResponse({}));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await submit();
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the 6 entries marked below.');
    expect(messageFor('Patient ID')).toHaveAccessibleDescription('Enter a patient ID.');
    expect(messageFor('Name')).toHaveAccessibleDescription("Enter the patient's name.");
    expect(messageFor('Age')).toHaveAccessibleDescription(/Enter the age\./);
    expect(messageFor('Gender')).toHaveAccessibleDescription('Choose a gender.');
    expect(messageFor('Medical condition')).toHaveAccessibleDescription('Enter the medical condition.');
    expect(messageFor('Last visit')).toHaveAccessibleDescription('Enter the date of the last visit.');
    expect(messageFor('Patient ID')).toHaveAttribute('aria-invalid', 'true');
    expect(messageFor('Patient ID')).toHaveFocus();
    expect(sent).toHaveLength(0);
  });

  it('explains a single bad entry in plain words', async () => {
    stubFetch(() => jsonResponse({}));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm({ Age: '151', 'Last visit': '2999-01-01' });
    await submit();
    expect(messageFor('Age')).toHaveAccessibleDescription(/Age must be between 1 and 150\./);
    expect(messageFor('Last visit')).toHaveAccessibleDescription('The last visit cannot be in the future.');
    expect(messageFor('Age')).toHaveFocus();
    // Editing a field clears its message.
    await user.type(messageFor('Age'), '{backspace}');
    expect(messageFor('Age')).not.toHaveAttribute('aria-invalid');
  });

  it('registers, confirms, empties the form and tells the page', async () => {
    const sent = stubFetch(({ body }) => jsonResponse({ id: 41, ...(body as object) }, 201));
    const onRegistered = vi.fn();
    render(<RegisterPatient onRegistered={onRegistered} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('status')).toHaveTextContent('Registered Ada Lovelace with patient ID P100.');
    expect(sent).toEqual([
      {
        method: 'POST',
        url: '/patients',
        body: {
          patientID: 'P100',
          name: 'Ada Lovelace',
          age: 36,
          gender: 'Female',
          medicalCondition: 'Migraine',
          lastVisit: '2024-05-02',
        },
      },
    ]);
    expect(screen.getByLabelText('Patient ID')).toHaveValue('');
    expect(screen.getByLabelText('Gender')).toHaveValue('');
    expect(screen.getByLabelText('Last visit')).toHaveValue('');
    expect(onRegistered).toHaveBeenCalledOnce();
  });

  it('disables the button while sending', async () => {
    let answer: (response: Response) => void = () => undefined;
    stubFetch(() => new Promise<Response>((resolve) => (answer = resolve)));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(screen.getByRole('button', { name: 'Registering…' })).toBeDisabled();
    answer(jsonResponse({ id: 1, patientID: 'P100', name: 'Ada Lovelace' }, 201));
    expect(await screen.findByRole('button', { name: 'Register patient' })).toBeEnabled();
  });

  it('shows a 400 from the server next to the fields it names', async () => {
    stubFetch(() =>
      jsonResponse(
        {
          detail: 'The patient record is invalid.',
          errors: [{ field: 'medicalCondition', message: 'Medical condition must not be blank.' }],
        },
        400,
      ),
    );
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('The patient record is invalid.');
    expect(messageFor('Medical condition')).toHaveAccessibleDescription('Medical condition must not be blank.');
    expect(messageFor('Medical condition')).toHaveFocus();
    // The entries stay, so staff can correct them.
    expect(screen.getByLabelText('Name')).toHaveValue('Ada Lovelace');
  });

  it('shows a 409 duplicate next to Patient ID', async () => {
    stubFetch(() =>
      jsonResponse(
        {
          detail: 'A patient with this patient ID already exists.',
          errors: [{ field: 'patientID', message: 'Patient ID P100 is already registered.' }],
        },
        409,
      ),
    );
    const onRegistered = vi.fn();
    render(<RegisterPatient onRegistered={onRegistered} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('A patient with this patient ID already exists.');
    expect(messageFor('Patient ID')).toHaveAccessibleDescription('Patient ID P100 is already registered.');
    expect(screen.getByRole('status')).toHaveTextContent('');
    expect(onRegistered).not.toHaveBeenCalled();
  });

  it('says so in plain words when the database is down', async () => {
    stubFetch(() => jsonResponse({ detail: 'The database is unavailable. Please try again shortly.' }, 503));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable. Please try again shortly.');
  });
});
