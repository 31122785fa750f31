import { useState } from 'react';
import { Loaded } from '../../components/Loaded';
import { Notice } from '../../components/Notice';
import { Section } from '../../components/Section';
import { useNotice } from '../../hooks/useNotice';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import { NO_AUDIT_FILTERS } from '../../lib/api/types';
import { PATIENT_LIST_HREF } from '../../lib/routes';
import { AuditEvents } from '../audit/AuditEvents';
import { canAudit, canViewHistory } from '../auth/roles';
import { PatientHistory } from './PatientHistory';
import { PatientTable } from './PatientTable';

interface PatientRecordProps {
  /** The record's `id` (not the clinic's patient ID). */
  id: string;
  role: string;
  /** Changes whenever the registry changed on the page, here included: everything reloads. */
  refresh: number;
  onChanged: () => void;
}

/**
 * One patient's page: the record (edit and delete as in the list), its versions for the roles
 * that may see them, and for an admin who has looked at it.
 */
export function PatientRecord({ id, role, refresh, onChanged }: PatientRecordProps) {
  const [notice, noticeRef] = useNotice(onChanged);
  /** The `refresh` the record was deleted at; null while it is not. */
  const [deletedAt, setDeletedAt] = useState<number | null>(null);
  const deleted = deletedAt !== null;
  const key = deleted ? null : JSON.stringify(['patient', id, refresh]);
  const remote = useRemote(key, (signal) => patientService.get(id, signal));

  function removed(text: string) {
    setDeletedAt(refresh);
    notice.removed(text);
  }

  return (
    <>
      <Section id="patient-record" title="Patient record">
        <p className="back-link">
          <a href={PATIENT_LIST_HREF}>
            <span aria-hidden="true">‹ </span>Back to the patient list
          </a>
        </p>
        <Notice text={notice.text} ref={noticeRef} />
        {deleted ? (
          <p>This record is deleted. An admin can restore it from the Deleted patients page.</p>
        ) : (
          <Loaded remote={remote} what="this patient" loadingText="Loading the patient…">
            {({ patient, etag }) => (
              <>
                <p className="muted">Record number {String(patient.id)}</p>
                <PatientTable
                  caption={`Patient ${patient.patientID}`}
                  patients={[patient]}
                  etag={etag}
                  busy={remote.loading}
                  openable={false}
                  onSaved={notice.changed}
                  onDeleted={removed}
                />
              </>
            )}
          </Loaded>
        )}
      </Section>
      {canViewHistory(role) && (
        <Section id="history" title="History" intro="Every version of this record, newest first.">
          {/* A deleted record has no history to ask for (404): the versions shown stay. */}
          <PatientHistory id={id} refresh={deletedAt ?? refresh} />
        </Section>
      )}
      {canAudit(role) && (
        <Section
          id="access-log"
          title="Access log"
          intro="Who read or changed this record, newest first, with the bulk lists that may have included it."
        >
          <AuditEvents label="Access log" filters={{ ...NO_AUDIT_FILTERS, patientId: id }} refresh={refresh} />
        </Section>
      )}
    </>
  );
}
