import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { PatientList } from './PatientList';

interface SearchPatientsProps {
  refresh: number;
  onChanged: () => void;
}

/** Text search over name and condition with `q=` (our API; json-server 1.0 ignores it). */
export function SearchPatients({ refresh, onChanged }: SearchPatientsProps) {
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState('');
  const [term, setTerm] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = input.trim();
    setInputError(text ? '' : 'Enter a name or condition to search for.');
    if (text) setTerm(text);
  }

  return (
    <div className="finder">
      <form className="inline-form" noValidate onSubmit={submit} role="search" aria-label="Search by name or condition">
        <FormField id="search-text" label="Name or condition" error={inputError}>
          {(a11y) => (
            <input
              id="search-text"
              type="search"
              autoComplete="off"
              value={input}
              onChange={(event) => setInput(event.target.value)}
              {...a11y}
            />
          )}
        </FormField>
        <button type="submit" className="button button--primary">
          Search
        </button>
      </form>
      {term !== null && (
        // A new term starts again at page 1 with no sort: a fresh list.
        <PatientList key={term} label={`Patients matching ${term}`} search={term} refresh={refresh} onChanged={onChanged} />
      )}
    </div>
  );
}
