import { useEffect, useEffectEvent, useState } from 'react';
import { toApiError, type ApiError } from '../lib/api/errors';

export interface Remote<T> {
  /** True while the answer for the current key is on its way. */
  loading: boolean;
  /** The latest answer; kept while a newer one loads, so lists do not flash. */
  data: T | undefined;
  error: ApiError | undefined;
  /** Loads the current key again (Try again after a failure). */
  retry: () => void;
}

interface Settled<T> {
  /** The try (key and retry) answered. */
  key: string | null;
  data?: T;
  error?: ApiError;
}

/**
 * Loads data for `key` (null = nothing to load) and reloads whenever the key changes.
 * Put everything the request depends on, including a refresh counter, into the key.
 * An answer that arrives after the key moved on is dropped (the request is aborted).
 * A retry is a new try for the same key: loading again, the failure gone.
 */
export function useRemote<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Remote<T> {
  const [retries, setRetries] = useState(0);
  const [settled, setSettled] = useState<Settled<T>>({ key: null });
  const loadLatest = useEffectEvent(load);
  const attempt = key === null ? null : JSON.stringify([key, retries]);

  useEffect(() => {
    if (attempt === null) return;
    const controller = new AbortController();
    loadLatest(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ key: attempt, data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setSettled({ key: attempt, error: toApiError(error) });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  const current = settled.key === attempt;
  return {
    loading: attempt !== null && !current,
    data: attempt === null ? undefined : settled.data,
    error: current ? settled.error : undefined,
    retry: () => setRetries((n) => n + 1),
  };
}
