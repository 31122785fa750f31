import type { ApiError } from '../lib/api/errors';

interface LoadErrorProps {
  /** "patients", "the history": what could not be loaded. */
  what: string;
  error: ApiError;
  onRetry: () => void;
}

/** A failed load in an alert, with the server's reason and a way to ask again. */
export function LoadError({ what, error, onRetry }: LoadErrorProps) {
  return (
    <div role="alert" className="message message--error">
      <p>
        Could not load {what}. {error.message}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
