import { useCallback, useState } from 'react';
import { Section } from '../components/Section';
import { FindById } from '../features/patients/FindById';
import { PatientList } from '../features/patients/PatientList';
import { RegisterPatient } from '../features/patients/RegisterPatient';
import { SearchPatients } from '../features/patients/SearchPatients';

export function App() {
  // Bumped after every write so each view on the page reloads what it shows.
  const [revision, setRevision] = useState(0);
  const changed = useCallback(() => setRevision((n) => n + 1), []);

  return (
    <>
      <header className="app-header">
        <div className="app-header__inner">
          <h1>Patient Registry</h1>
          <nav aria-label="Sections">
            <a href="#register">Register</a>
            <a href="#find">Find</a>
            <a href="#patients">Patients</a>
          </nav>
        </div>
      </header>
      <main className="app-main">
        <Section id="register" title="Register a patient" intro="All fields are required.">
          <RegisterPatient onRegistered={changed} />
        </Section>
        <Section id="find" title="Find a patient">
          <FindById refresh={revision} onChanged={changed} />
          <SearchPatients refresh={revision} onChanged={changed} />
        </Section>
        <Section id="patients" title="Patients">
          <PatientList label="All patients" refresh={revision} onChanged={changed} />
        </Section>
      </main>
    </>
  );
}
