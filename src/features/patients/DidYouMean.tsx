import { Fragment } from 'react';
import { useRemote } from '../../hooks/useRemote';
import { patientService } from '../../lib/api/patientService';
import { patientHref } from '../../lib/routes';
import { describePatient } from './columns';

/** How many names are offered. */
const SUGGESTIONS = 5;

/** A term with no letter (a date, a number) is nobody's misspelt name. */
const mayBeAName = (text: string) => /\p{L}/u.test(text);

/**
 * After a search found nothing (`text`; null otherwise): the patients whose name is like it
 * (GET /patients?name_similar=), each a link to their record. Always in the page, so the
 * names are announced when they come; a failure shows nothing, it was only a hint.
 */
export function DidYouMean({ text }: { text: string | null }) {
  const wanted = text !== null && mayBeAName(text) ? text : null;
  const { loading, data } = useRemote(wanted === null ? null : JSON.stringify(['name_similar', wanted]), (signal) =>
    patientService.similarNames(wanted ?? '', SUGGESTIONS, signal),
  );
  // While another term loads, the last one's names are not this one's.
  const names = wanted !== null && !loading ? (data ?? []) : [];

  return (
    <div role="status" className={names.length ? 'did-you-mean' : 'message-slot'}>
      {names.length > 0 && (
        <p>
          Did you mean:{' '}
          {names.map((patient, index) => (
            <Fragment key={String(patient.id)}>
              {index > 0 && ', '}
              <a href={patientHref(patient.id)}>{describePatient(patient)}</a>
            </Fragment>
          ))}
          ?
        </p>
      )}
    </div>
  );
}
