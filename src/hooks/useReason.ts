import { useState } from 'react';
import { validateReason } from '../lib/validation';

export interface Reason {
  /** The id of its input (ReasonField). */
  id: string;
  value: string;
  /** The problem shown at the field; empty when there is none. */
  error: string;
  /** A new value; its problem goes, the user is fixing it. */
  change: (value: string) => void;
  /** Empty again, without a problem: the form opens afresh. */
  reset: () => void;
  /** True when the reason may be sent; otherwise its problem is shown and the field focused. */
  check: () => boolean;
}

/** The reason typed into a row's form for deleting (optional) or purging (required) a patient. */
export function useReason(id: string, required: boolean): Reason {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  return {
    id,
    value,
    error,
    change(next) {
      setValue(next);
      setError('');
    },
    reset() {
      setValue('');
      setError('');
    },
    check() {
      const problem = validateReason(value, required);
      if (!problem) return true;
      setError(problem);
      document.getElementById(id)?.focus();
      return false;
    },
  };
}
