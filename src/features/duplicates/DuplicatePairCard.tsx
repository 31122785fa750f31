import { useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { duplicateService } from '../../lib/api/duplicateService';
import { toApiError } from '../../lib/api/errors';
import type { DuplicatePair } from '../../lib/api/types';
import { patientHref } from '../../lib/routes';
import { cellText, describePatient } from '../patients/columns';
import { Likeness } from './Likeness';
import { MergeForm } from './MergeForm';
import { SideBySide } from './SideBySide';

interface DuplicatePairCardProps {
  pair: DuplicatePair;
  canMerge: boolean;
  /** After the server took the decision: the notice to show, and the list reloads. */
  onDone: (notice: string) => void;
}

/**
 * One possible duplicate: both records side by side with how alike they are, and what staff
 * may decide. "Merge…" (admins) opens the merge choices under the records.
 */
export function DuplicatePairCard({ pair, canMerge, onDone }: DuplicatePairCardProps) {
  const { a, b } = pair;
  const titleId = useId();
  const [merging, setMerging] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const mergeButton = useRef<HTMLButtonElement>(null);
  const both = `${describePatient(a)} and ${describePatient(b)}`;

  if (done) return null;

  function finished(notice: string) {
    setDone(true);
    onDone(notice);
  }

  async function markDistinct() {
    // Not `disabled` while sending: the button keeps the keyboard focus.
    if (sending) return;
    setSending(true);
    setError('');
    try {
      await duplicateService.markDistinct(a.id, b.id);
      finished(`Marked ${both} as two different patients.`);
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setSending(false);
    }
  }

  function closeMerge() {
    flushSync(() => setMerging(false));
    mergeButton.current?.focus();
  }

  return (
    <article className="duplicate-pair" aria-labelledby={titleId}>
      <h3 id={titleId}>{both}</h3>
      <Likeness grade={pair.grade} score={pair.score} reasons={pair.reasons} />
      <SideBySide
        caption={`${describePatient(a)} beside ${describePatient(b)}`}
        columns={[a, b].map((patient) => ({
          label: `Record #${String(patient.id)}`,
          text: (field) => cellText(patient, field),
        }))}
      />
      <p className="duplicate-pair__links">
        {[a, b].map((patient) => (
          <a key={String(patient.id)} href={patientHref(patient.id)}>
            Open record #{String(patient.id)}
          </a>
        ))}
      </p>
      {merging ? (
        <MergeForm pair={pair} onMerged={finished} onCancel={closeMerge} />
      ) : (
        <div className="row__buttons">
          <button
            type="button"
            className="button button--small"
            aria-describedby={titleId}
            aria-disabled={sending || undefined}
            onClick={markDistinct}
          >
            Not a duplicate
          </button>
          {canMerge && (
            <button
              type="button"
              className="button button--small"
              ref={mergeButton}
              aria-describedby={titleId}
              onClick={() => {
                setError('');
                setMerging(true);
              }}
            >
              Merge…
            </button>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
    </article>
  );
}
