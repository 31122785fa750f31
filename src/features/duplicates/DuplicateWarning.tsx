import { useEffect, useId, useRef } from 'react';
import type { PatientMatch } from '../../lib/api/types';
import { patientHref } from '../../lib/routes';
import type { PatientFormValues } from '../../lib/validation';
import { cellText, describePatient } from '../patients/columns';
import { Likeness } from './Likeness';
import { SideBySide } from './SideBySide';

/** What the check before a registration found: probable or certain matches, or why it failed. */
export type DuplicateCheck = { matches: PatientMatch[] } | { error: string };

interface DuplicateWarningProps {
  /** What the form holds, shown beside each match. */
  entered: PatientFormValues;
  check: DuplicateCheck;
  onRegisterAnyway: () => void;
  /** Back to the form, its entries as they were. */
  onBack: () => void;
}

/**
 * Shown instead of the register form when the patient may be registered already: each match
 * beside what was entered, with a way to open it. Registering is never blocked: "Register
 * anyway" is there too, also when the check itself failed. The heading takes the focus, so
 * a screen reader starts here.
 */
export function DuplicateWarning({ entered, check, onRegisterAnyway, onBack }: DuplicateWarningProps) {
  const titleId = useId();
  const title = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    title.current?.focus();
  }, []);

  return (
    <div className="duplicate-warning" role="group" aria-labelledby={titleId}>
      <h3 id={titleId} ref={title} tabIndex={-1}>
        {'matches' in check ? 'Possible duplicate' : 'Could not check for duplicates'}
      </h3>
      {'matches' in check ? (
        <>
          <p>
            {check.matches.length === 1 ? 'This patient may be registered already.' : 'This patient may be registered already, more than once.'}{' '}
            Open the record if it is the same person; register anyway if it is not.
          </p>
          {check.matches.map((match) => (
            <Match key={String(match.patient.id)} match={match} entered={entered} />
          ))}
        </>
      ) : (
        <p className="message message--error">
          Could not check for duplicates. {check.error} You can still register the patient.
        </p>
      )}
      <div className="actions">
        <button type="button" className="button button--primary" onClick={onRegisterAnyway}>
          Register anyway
        </button>
        <button type="button" className="button" onClick={onBack}>
          Back to the form
        </button>
      </div>
    </div>
  );
}

function Match({ match, entered }: { match: PatientMatch; entered: PatientFormValues }) {
  const titleId = useId();
  const { patient } = match;
  const record = `Record #${String(patient.id)}`;
  return (
    <article className="duplicate-match" aria-labelledby={titleId}>
      <h4 id={titleId}>{describePatient(patient)}</h4>
      <Likeness grade={match.grade} score={match.score} reasons={match.reasons} />
      <SideBySide
        caption={`What you entered beside ${describePatient(patient)}`}
        columns={[
          { label: 'You entered', text: (field) => entered[field] },
          { label: record, text: (field) => cellText(patient, field) },
        ]}
      />
      <a className="button button--small" href={patientHref(patient.id)} aria-describedby={titleId}>
        Open this patient
      </a>
    </article>
  );
}
