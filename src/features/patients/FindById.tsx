import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import { PatientTable } from './PatientTable';

interface FindByIdProps {
  refresh: number;
  onChanged: () => void;
}

/** Exact lookup by patient ID; the server answers `?patientID=` (case-insensitive on our API). */
export function FindById({ refresh, onChanged }: FindByIdProps) {
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState('');
  const [wanted, setWanted] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const key = wanted === null ? null : JSON.stringify([wanted, refresh]);
  const { loading, data, error } = useRemote(key, (signal) =>
    patientService.findByPatientId(wanted ?? '', signal),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // IDs never start or end with a blank, so trimming cannot change a match.
    const id = input.trim();
    setInputError(id ? '' : 'Enter the patient ID to look for.');
    setNotice('');
    if (id) setWanted(id);
  }

  function changed(text: string) {
    setNotice(text);
    onChanged();
  }

  return (
    <div className="finder">
      <form className="inline-form" noValidate onSubmit={submit} role="search" aria-label="Find by patient ID">
        <FormField id="find-patient-id" label="Patient ID" error={inputError}>
          {(a11y) => (
            <input
              id="find-patient-id"
              type="text"
              autoComplete="off"
              value={input}
              onChange={(event) => setInput(event.target.value)}
              {...a11y}
            />
          )}
        </FormField>
        <button type="submit" className="button button--primary">
          Find
        </button>
      </form>
      <p role="status" className={notice ? 'message message--success' : 'message-slot'}>
        {notice}
      </p>
      {wanted !== null &&
        (error ? (
          <p role="alert" className="message message--error">
            Could not look up “{wanted}”. {error.message}
          </p>
        ) : loading && !data ? (
          <p className="muted">Looking up “{wanted}”…</p>
        ) : data && data.length === 0 ? (
          <p className="empty" role="status">
            No patient has the ID “{wanted}”.
          </p>
        ) : data ? (
          <PatientTable
            caption={`Patient with ID ${wanted}`}
            patients={data}
            busy={loading}
            onSaved={changed}
            onDeleted={changed}
          />
        ) : null)}
    </div>
  );
}
