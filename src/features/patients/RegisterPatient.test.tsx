import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import {
  errorResponse,
  fakeBackend,
  jsonResponse,
  makeMatch,
  makePatient,
  pathOf,
  route,
  stubFetch,
  type SentRequest,
} from '../../testing/fakeApi';
import { RegisterPatient } from './RegisterPatient';

const user = userEvent.setup();

/** The duplicate check finds nobody; everything else is answered by `handler`. */
const serve = (handler: (request: SentRequest) => Response | Promise<Response>) =>
  stubFetch(route({ 'POST /patients/match': () => jsonResponse([]) }, handler));

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

  it('checks for duplicates, registers, confirms, empties the form and tells the page', async () => {
    const sent = serve(({ body }) => jsonResponse({ id: 41, ...(body as object) }, 201));
    const onRegistered = vi.fn();
    render(<RegisterPatient onRegistered={onRegistered} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('status')).toHaveTextContent('Registered Ada Lovelace with patient ID P100.');
    const body = {
      patientID: 'P100',
      name: 'Ada Lovelace',
      age: 36,
      gender: 'Female',
      medicalCondition: 'Migraine',
      lastVisit: '2024-05-02',
    };
    expect(sent).toEqual([
      { method: 'POST', url: '/patients/match', body },
      { method: 'POST', url: '/patients', body },
    ]);
    expect(screen.getByLabelText('Patient ID')).toHaveValue('');
    expect(screen.getByLabelText('Gender')).toHaveValue('');
    expect(screen.getByLabelText('Last visit')).toHaveValue('');
    expect(onRegistered).toHaveBeenCalledOnce();
  });

  it('disables the button while sending', async () => {
    let answer: (response: Response) => void = () => undefined;
    serve(() => new Promise<Response>((resolve) => (answer = resolve)));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(screen.getByRole('button', { name: 'Registering…' })).toBeDisabled();
    answer(jsonResponse({ id: 1, patientID: 'P100', name: 'Ada Lovelace' }, 201));
    expect(await screen.findByRole('button', { name: 'Register patient' })).toBeEnabled();
  });

  it('shows a 400 from the server next to the fields it names', async () => {
    serve(() =>
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
    serve(() =>
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
    serve(() => jsonResponse({ detail: 'The database is unavailable. Please try again shortly.' }, 503));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is unavailable. Please try again shortly.');
  });
});

describe('the duplicate check before registering', () => {
  const john = makePatient({ id: 7, patientID: 'P007', name: 'Ada Lovelace', age: 36, medicalCondition: 'Asthma' });
  const twin = makePatient({ id: 12, patientID: 'P012', name: 'Ada Lovelase', age: 37 });
  const faint = makePatient({ id: 15, patientID: 'P015', name: 'Ida Lovell' });
  const matches = [
    makeMatch(john, { score: 0.934, grade: 'certain', reasons: ['same name', 'same age', 'same gender'] }),
    makeMatch(twin, { score: 0.81, grade: 'probable', reasons: ['name spelled similarly', 'age one year apart'] }),
    makeMatch(faint, { score: 0.55, grade: 'possible', reasons: ['name sounds alike'] }),
  ];

  /** POST /patients/match answers `found`; POST /patients registers. */
  function serveMatches(found: unknown[] | (() => Response)) {
    return stubFetch(
      route({
        'POST /patients/match': () => (typeof found === 'function' ? found() : jsonResponse(found)),
        'POST /patients': ({ body }) => jsonResponse({ id: 41, ...(body as object) }, 201),
      }),
    );
  }

  const creates = (sent: SentRequest[]) => sent.filter((r) => r.method === 'POST' && pathOf(r) === '/patients');
  const warning = () => screen.getByRole('group', { name: 'Possible duplicate' });

  it('holds the registration on a probable or certain match, beside what was entered', async () => {
    const sent = serveMatches(matches);
    const onRegistered = vi.fn();
    render(<RegisterPatient onRegistered={onRegistered} />);
    await fillForm();
    await submit();

    expect(await screen.findByRole('heading', { name: 'Possible duplicate' })).toHaveFocus();
    expect(creates(sent)).toEqual([]);
    const shown = within(warning()).getAllByRole('article');
    expect(shown.map((match) => within(match).getByRole('heading').textContent)).toEqual([
      'Ada Lovelace (P007)',
      'Ada Lovelase (P012)',
    ]);
    const [first] = shown as [HTMLElement];
    expect(within(first).getByText('Certain')).toBeInTheDocument();
    expect(within(first).getByText('93%')).toBeInTheDocument();
    expect(within(first).getByText('same name, same age, same gender')).toBeInTheDocument();
    const table = within(first).getByRole('table', { name: 'What you entered beside Ada Lovelace (P007)' });
    const rows = within(table).getAllByRole('row').map((row) => [...row.children].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['Field', 'You entered', 'Record #7'],
      ['Patient ID', 'P100', 'P007'],
      ['Name', 'Ada Lovelace', 'Ada Lovelace'],
      ['Age', '36', '36'],
      ['Gender', 'Female', 'Female'],
      ['Medical condition', 'Migraine', 'Asthma'],
      ['Last visit', '2024-05-02', '2024-03-01'],
    ]);
    expect(within(first).getByRole('link', { name: 'Open this patient' })).toHaveAttribute('href', '#patient/7');
    // The form waits, hidden, with its entries.
    expect(screen.queryByRole('button', { name: 'Register patient' })).not.toBeInTheDocument();
    expect(onRegistered).not.toHaveBeenCalled();
  });

  it('registers at once when every match is only "possible"', async () => {
    const sent = serveMatches([matches[2]]);
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(await screen.findByText('Registered Ada Lovelace with patient ID P100.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Possible duplicate' })).not.toBeInTheDocument();
    expect(creates(sent)).toHaveLength(1);
    expect(creates(sent)[0]?.registeredDespite).toBeUndefined();
  });

  it('"Register anyway" registers the entries, naming the matches shown in X-Registered-Despite', async () => {
    const sent = serveMatches(matches);
    const onRegistered = vi.fn();
    render(<RegisterPatient onRegistered={onRegistered} />);
    await fillForm();
    await submit();
    await user.click(await screen.findByRole('button', { name: 'Register anyway' }));

    expect(await screen.findByText('Registered Ada Lovelace with patient ID P100.')).toBeInTheDocument();
    expect(creates(sent)).toEqual([
      {
        method: 'POST',
        url: '/patients',
        body: expect.objectContaining({ patientID: 'P100', name: 'Ada Lovelace', age: 36 }),
        registeredDespite: '7,12',
      },
    ]);
    expect(sent.filter((r) => pathOf(r) === '/patients/match')).toHaveLength(1);
    expect(screen.queryByRole('group', { name: 'Possible duplicate' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Patient ID')).toHaveValue('');
    expect(onRegistered).toHaveBeenCalledOnce();
  });

  it('goes back to the form with the entries kept, and checks again on the next submit', async () => {
    const sent = serveMatches(matches);
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    await user.click(await screen.findByRole('button', { name: 'Back to the form' }));
    expect(screen.queryByRole('group', { name: 'Possible duplicate' })).not.toBeInTheDocument();
    expect(screen.getByLabelText('Patient ID')).toHaveFocus();
    expect(screen.getByLabelText('Name')).toHaveValue('Ada Lovelace');
    expect(screen.getByLabelText('Medical condition')).toHaveValue('Migraine');

    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'Ada King');
    await submit();
    expect(await screen.findByRole('heading', { name: 'Possible duplicate' })).toBeInTheDocument();
    expect(sent.filter((r) => pathOf(r) === '/patients/match').map((r) => (r.body as { name: string }).name)).toEqual([
      'Ada Lovelace',
      'Ada King',
    ]);
    expect(creates(sent)).toEqual([]);
  });

  it('says when the check failed, and still lets the patient be registered', async () => {
    const sent = serveMatches(() => errorResponse(503, 'The database is unavailable. Please try again shortly.'));
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    expect(await screen.findByRole('heading', { name: 'Could not check for duplicates' })).toHaveFocus();
    expect(screen.getByText(/The database is unavailable\. Please try again shortly\. You can still register/)).toBeInTheDocument();
    expect(creates(sent)).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Register anyway' }));
    expect(await screen.findByText('Registered Ada Lovelace with patient ID P100.')).toBeInTheDocument();
    expect(creates(sent)).toHaveLength(1);
    expect(creates(sent)[0]?.registeredDespite).toBeUndefined(); // no match was shown
  });

  it('shows a refusal of "Register anyway" at the fields, in the form', async () => {
    stubFetch(
      route({
        'POST /patients/match': () => jsonResponse(matches),
        'POST /patients': () =>
          errorResponse(409, 'A patient with this patient ID already exists.', [
            { field: 'patientID', message: 'Patient ID P100 is already registered.' },
          ]),
      }),
    );
    render(<RegisterPatient onRegistered={vi.fn()} />);
    await fillForm();
    await submit();
    await user.click(await screen.findByRole('button', { name: 'Register anyway' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('A patient with this patient ID already exists.');
    expect(messageFor('Patient ID')).toHaveAccessibleDescription('Patient ID P100 is already registered.');
    expect(screen.getByLabelText('Name')).toHaveValue('Ada Lovelace');
  });

  describe('in the whole page', () => {
    async function registerInApp() {
      const form = await screen.findByRole('region', { name: 'Register a patient' });
      await user.type(within(form).getByLabelText('Patient ID'), 'P100');
      await user.type(within(form).getByLabelText('Name'), 'Ada Lovelace');
      await user.type(within(form).getByLabelText('Age'), '36');
      await user.selectOptions(within(form).getByLabelText('Gender'), 'Female');
      const condition = within(form).queryByLabelText('Medical condition');
      if (condition) await user.type(condition, 'Migraine');
      fireEvent.change(within(form).getByLabelText('Last visit'), { target: { value: '2024-05-02' } });
      await user.click(within(form).getByRole('button', { name: 'Register patient' }));
      return form;
    }

    it('"Open this patient" opens the record page of that match', async () => {
      fakeBackend({ signedIn: 'cleo', patients: [john, twin], matches: matches.slice(0, 2) });
      render(<App />);
      const form = await registerInApp();
      const [, second] = await within(form).findAllByRole('article');
      await user.click(within(second as HTMLElement).getByRole('link', { name: 'Open this patient' }));
      expect(window.location.hash).toBe('#patient/12');
      const record = await screen.findByRole('region', { name: 'Patient record' });
      expect(await within(record).findByText('Record number 12')).toBeInTheDocument();
    });

    it("shows a receptionist no medical condition, the match's or the entries'", async () => {
      const backend = fakeBackend({ signedIn: 'remy', matches: [makeMatch(john)] });
      render(<App />);
      const form = await registerInApp();
      const table = await within(form).findByRole('table', { name: /^What you entered beside/ });
      expect(within(table).queryByText('Medical condition')).not.toBeInTheDocument();
      expect(within(form).queryByText('Asthma')).not.toBeInTheDocument();
      const check = backend.sent.find((r) => pathOf(r) === '/patients/match');
      expect(check?.body).not.toHaveProperty('medicalCondition');
    });
  });
});
