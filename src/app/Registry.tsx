import { useCallback, useState } from 'react';
import { Section } from '../components/Section';
import { canManageStaff } from '../features/auth/roles';
import { PatientAccessContext, patientAccessFor } from '../features/patients/access';
import { FindById } from '../features/patients/FindById';
import { PatientList } from '../features/patients/PatientList';
import { RegisterPatient } from '../features/patients/RegisterPatient';
import { SearchPatients } from '../features/patients/SearchPatients';
import { StaffAccounts } from '../features/staff/StaffAccounts';

/** The sections a signed-in role works with; what each shows follows from the role. */
export function Registry({ role }: { role: string }) {
  // Bumped after every write so each view on the page reloads what it shows.
  const [revision, setRevision] = useState(0);
  const changed = useCallback(() => setRevision((n) => n + 1), []);

  return (
    <PatientAccessContext value={patientAccessFor(role)}>
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
      {canManageStaff(role) && (
        <Section id="staff" title="Staff accounts">
          <StaffAccounts />
        </Section>
      )}
    </PatientAccessContext>
  );
}
