import type { ReactNode } from 'react';
import type { Remote } from '../hooks/useRemote';
import { LoadError } from './LoadError';

interface LoadedProps<T> {
  remote: Remote<T>;
  /** For the error: "Could not load {what}." */
  what: string;
  loadingText: string;
  /** What the answer shows. */
  children: (data: T) => ReactNode;
}

/** A load's states: failed (with Try again), on its way, or its answer shown by `children`. */
export function Loaded<T>({ remote: { data, error, retry }, what, loadingText, children }: LoadedProps<T>) {
  if (error) return <LoadError what={what} error={error} onRetry={retry} />;
  if (data === undefined) return <p className="muted">{loadingText}</p>;
  return children(data);
}
