import { useState } from 'react';
import { usePatientAccess } from './access';
import { PatientList } from './PatientList';
import { SearchForm } from './SearchForm';

interface SearchPatientsProps {
  refresh: number;
  onChanged: () => void;
}

/**
 * Text search with `q=` over name and condition (patient ID too, on our API). A role that
 * may not see conditions is not offered them as a search term. A term that finds nobody
 * offers the patients with a name like it, whatever the role: a typo is the usual reason.
 */
export function SearchPatients({ refresh, onChanged }: SearchPatientsProps) {
  const [term, setTerm] = useState<string | null>(null);
  const withCondition = usePatientAccess().fields.includes('medicalCondition');
  const what = withCondition ? 'name or condition' : 'name';

  return (
    <div className="finder">
      <SearchForm
        name={withCondition ? 'Search by name or condition' : 'Search by name'}
        inputId="search-text"
        label={withCondition ? 'Name or condition' : 'Name'}
        inputType="search"
        button="Search"
        emptyMessage={`Enter a ${what} to search for.`}
        onSearch={setTerm}
      />
      {/* Always mounted (its live regions with it); a new term starts a fresh list. */}
      <PatientList
        label={`Patients matching ${term ?? ''}`}
        search={term ?? undefined}
        active={term !== null}
        refresh={refresh}
        onChanged={onChanged}
        suggestNames
      />
    </div>
  );
}
