import { Notice } from '../../components/Notice';
import { PagedResults } from '../../components/PagedResults';
import { useNotice } from '../../hooks/useNotice';
import { usePagedRemote } from '../../hooks/usePagedRemote';
import { duplicateService } from '../../lib/api/duplicateService';
import type { DuplicatePage, DuplicatePair } from '../../lib/api/types';
import { DuplicatePairCard } from './DuplicatePairCard';

interface DuplicatePairsProps {
  /** Admins merge; clinicians only say "not a duplicate". */
  canMerge: boolean;
  /** Changes whenever the registry changed on the page: the list reloads. */
  refresh: number;
  /** A pair marked or merged: the rest of the page reloads. */
  onChanged: () => void;
}

/** Each pair is twice a patient's height: fewer to a page than the patient list. */
const PER_PAGE = 10;

const countText = (items: number) => `${items} possible duplicate ${items === 1 ? 'pair' : 'pairs'}`;

const pendingText = (pending: number) =>
  `${pending} ${pending === 1 ? 'patient' : 'patients'} still being checked: their pairs may not be listed yet.`;

/** The pairs the server's background check found, most alike first: each marked as two people, or merged. */
export function DuplicatePairs({ canMerge, refresh, onChanged }: DuplicatePairsProps) {
  const [notice, noticeRef] = useNotice(onChanged);
  const paged = usePagedRemote<DuplicatePair, DuplicatePage>('duplicates', refresh, (page, signal) =>
    duplicateService.listPage(page, PER_PAGE, signal),
  );
  const pending = paged.data?.pending ?? 0;

  return (
    <div className="duplicates">
      <Notice text={notice.text} ref={noticeRef} />
      {/* In the page from the start, so a change of the count is announced. */}
      <p role="status" className={pending > 0 ? 'muted' : 'message-slot'}>
        {pending > 0 ? pendingText(pending) : ''}
      </p>
      <PagedResults
        paged={paged}
        what="the possible duplicates"
        loadingText="Loading possible duplicates…"
        emptyText="No possible duplicates."
        countText={countText}
        label="Possible duplicates"
      >
        {(pairs, busy) => (
          <div className="duplicate-list" aria-busy={busy || undefined}>
            {pairs.map((pair) => (
              <DuplicatePairCard
                key={`${String(pair.a.id)}-${String(pair.b.id)}`}
                pair={pair}
                canMerge={canMerge}
                onDone={notice.removed}
              />
            ))}
          </div>
        )}
      </PagedResults>
    </div>
  );
}
