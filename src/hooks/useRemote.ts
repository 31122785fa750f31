import { useEffect, useEffectEvent, useState } from 'react';
import { toApiError, type ApiError } from '../lib/api/errors';

export interface Remote<T> {
  /** True while the answer for the current key is on its way. */
  loading: boolean;
  /** The latest answer; kept while a newer one loads, so lists do not flash. */
  data: T | undefined;
  error: ApiError | undefined;
}

interface Settled<T> {
  key: string | null;
  data?: T;
  error?: ApiError;
}

/**
 * Loads data for `key` (null = nothing to load) and reloads whenever the key changes.
 * Put everything the request depends on, including a refresh counter, into the key.
 * An answer that arrives after the key moved on is dropped (the request is aborted).
 */
export function useRemote<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Remote<T> {
  const [settled, setSettled] = useState<Settled<T>>({ key: null });
  const loadLatest = useEffectEvent(load);

  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    loadLatest(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ key, data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setSettled({ key, error: toApiError(error) });
      },
    );
    return () => controller.abort();
  }, [key]);

  const current = settled.key === key;
  return {
    loading: key !== null && !current,
    data: key === null ? undefined : settled.data,
    error: current ? settled.error : undefined,
  };
}
