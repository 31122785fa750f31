import { useState } from 'react';
import { PatientList } from './PatientList';
import { SearchForm } from './SearchForm';

interface SearchPatientsProps {
  refresh: number;
  onChanged: () => void;
}

/** Text search over name and condition with `q=` (our API; json-server 1.0 ignores it). */
export function SearchPatients({ refresh, onChanged }: SearchPatientsProps) {
  const [term, setTerm] = useState<string | null>(null);

  return (
    <div className="finder">
      <SearchForm
        name="Search by name or condition"
        inputId="search-text"
        label="Name or condition"
        inputType="search"
        button="Search"
        emptyMessage="Enter a name or condition to search for."
        onSearch={setTerm}
      />
      {term !== null && (
        // A new term starts again at page 1 with no sort: a fresh list.
        <PatientList key={term} label={`Patients matching ${term}`} search={term} refresh={refresh} onChanged={onChanged} />
      )}
    </div>
  );
}
