import { useState } from 'react';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import { PatientTable } from './PatientTable';
import { SearchForm } from './SearchForm';

interface FindByIdProps {
  refresh: number;
  onChanged: () => void;
}

/** Exact lookup by patient ID; the server answers `?patientID=` (case-insensitive on our API). */
export function FindById({ refresh, onChanged }: FindByIdProps) {
  const [wanted, setWanted] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const key = wanted === null ? null : JSON.stringify([wanted, refresh]);
  const { loading, data, error } = useRemote(key, (signal) =>
    patientService.findByPatientId(wanted ?? '', signal),
  );

  const noMatch =
    wanted !== null && !error && !loading && data?.length === 0 ? `No patient has the ID “${wanted}”.` : '';

  function search(id: string) {
    // IDs never start or end with a blank, so trimming cannot change a match.
    setNotice('');
    setWanted(id);
  }

  function changed(text: string) {
    setNotice(text);
    onChanged();
  }

  return (
    <div className="finder">
      <SearchForm
        name="Find by patient ID"
        inputId="find-patient-id"
        label="Patient ID"
        inputType="text"
        button="Find"
        emptyMessage="Enter the patient ID to look for."
        onSearch={search}
      />
      <p role="status" className={notice ? 'message message--success' : 'message-slot'}>
        {notice}
      </p>
      {/* In the page from the start, so the text is announced when it appears. */}
      <p role="status" className={noMatch ? 'empty' : 'message-slot'}>
        {noMatch}
      </p>
      {wanted !== null &&
        (error ? (
          <p role="alert" className="message message--error">
            Could not look up “{wanted}”. {error.message}
          </p>
        ) : loading && !data ? (
          <p className="muted">Looking up “{wanted}”…</p>
        ) : data && data.length > 0 ? (
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
