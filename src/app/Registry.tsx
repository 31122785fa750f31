import { useCallback, useState } from 'react';
import { Section } from '../components/Section';
import { ActivityLog } from '../features/audit/ActivityLog';
import { canAudit, canManageStaff, canMerge, canReviewDuplicates } from '../features/auth/roles';
import { DeletedPatients } from '../features/deleted/DeletedPatients';
import { DuplicatePairs } from '../features/duplicates/DuplicatePairs';
import { PatientAccessContext, patientAccessFor } from '../features/patients/access';
import { FindById } from '../features/patients/FindById';
import { PatientList } from '../features/patients/PatientList';
import { PatientRecord } from '../features/patients/PatientRecord';
import { RegisterPatient } from '../features/patients/RegisterPatient';
import { SearchPatients } from '../features/patients/SearchPatients';
import { StaffAccounts } from '../features/staff/StaffAccounts';
import { usePageFocus } from '../hooks/usePageFocus';
import type { Route } from '../lib/routes';

/** The route itself, or the registry when the role may not see that page. */
function allowedRoute(route: Route, role: string): Route {
  const adminPage = route.page === 'activity' || route.page === 'deleted-patients';
  const refused = (adminPage && !canAudit(role)) || (route.page === 'duplicates' && !canReviewDuplicates(role));
  return refused ? { page: 'registry', section: '' } : route;
}

/** The section whose heading a move to `route` focuses. */
function sectionOf(route: Route): string {
  if (route.page === 'registry') return route.section || 'register';
  return route.page === 'patient' ? 'patient-record' : route.page;
}

/** The pages a signed-in role works with; what each shows follows from the role. */
export function Registry({ role, route: wanted }: { role: string; route: Route }) {
  // Bumped after every write so each view on the page reloads what it shows.
  const [revision, setRevision] = useState(0);
  const changed = useCallback(() => setRevision((n) => n + 1), []);
  const route = allowedRoute(wanted, role);
  usePageFocus(JSON.stringify(route), sectionOf(route));

  return (
    <PatientAccessContext value={patientAccessFor(role)}>
      {/* Not kept (hidden) under the other pages: its lists would reload unseen, and every
          reload is a disclosure in the audit trail. */}
      {route.page === 'registry' && (
        <>
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
        </>
      )}
      {route.page === 'patient' && (
        <PatientRecord key={route.id} id={route.id} role={role} refresh={revision} onChanged={changed} />
      )}
      {route.page === 'activity' && (
        <Section
          id="activity"
          title="Activity"
          intro="The audit trail: every sign-in, and every request that read or changed patient data, newest first."
        >
          <ActivityLog />
        </Section>
      )}
      {route.page === 'deleted-patients' && (
        <Section
          id="deleted-patients"
          title="Deleted patients"
          intro="A deleted record is kept with its history until it is purged. Restoring puts it back in every list under the same record number."
        >
          <DeletedPatients refresh={revision} onChanged={changed} />
        </Section>
      )}
      {route.page === 'duplicates' && (
        <Section
          id="duplicates"
          title="Possible duplicates"
          intro="Pairs of records that may be the same person, most alike first. The server compares each new or changed patient with the registry in the background."
        >
          <DuplicatePairs canMerge={canMerge(role)} refresh={revision} onChanged={changed} />
        </Section>
      )}
    </PatientAccessContext>
  );
}
