import { DataTable } from '../../components/DataTable';
import { Notice } from '../../components/Notice';
import { PagedResults } from '../../components/PagedResults';
import { useNotice } from '../../hooks/useNotice';
import { usePagedRemote } from '../../hooks/usePagedRemote';
import { deletedPatientService } from '../../lib/api/deletedPatientService';
import { PER_PAGE } from '../patients/PatientList';
import { DeletedPatientRow } from './DeletedPatientRow';

interface DeletedPatientsProps {
  /** Changes whenever the registry changed on the page (a delete adds a row here). */
  refresh: number;
  /** A restore or purge: the rest of the page reloads. */
  onChanged: () => void;
}

const HEADERS = ['Patient ID', 'Name', 'Deleted', 'Deleted by', 'Reason'];

const countText = (items: number) => `${items} deleted ${items === 1 ? 'patient' : 'patients'}`;

/** The admin's page of soft-deleted patients, newest deletion first: restore or purge each. */
export function DeletedPatients({ refresh, onChanged }: DeletedPatientsProps) {
  const [notice, noticeRef] = useNotice(onChanged);
  const paged = usePagedRemote('deleted-patients', refresh, (page, signal) =>
    deletedPatientService.listPage(page, PER_PAGE, signal),
  );

  return (
    <div className="deleted-patients">
      <Notice text={notice.text} ref={noticeRef} />
      <PagedResults
        paged={paged}
        what="the deleted patients"
        loadingText="Loading deleted patients…"
        emptyText="No deleted patients."
        countText={countText}
        label="Deleted patients"
      >
        {(patients, busy) => (
          <DataTable
            className="data-table deleted-table"
            caption="Deleted patients"
            busy={busy}
            headers={HEADERS}
            actions
          >
            {patients.map((patient) => (
              <DeletedPatientRow key={String(patient.id)} patient={patient} onDone={notice.removed} />
            ))}
          </DataTable>
        )}
      </PagedResults>
    </div>
  );
}
