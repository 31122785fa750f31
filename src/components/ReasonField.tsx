import type { Reason } from '../hooks/useReason';
import { FormField } from './FormField';

interface ReasonFieldProps {
  /** Its value, problem and id (useReason). */
  reason: Reason;
  label: string;
  hint?: string;
}

/** The text box for why a patient is deleted or purged, with its hint and problem underneath. */
export function ReasonField({ reason, label, hint }: ReasonFieldProps) {
  return (
    <FormField id={reason.id} label={label} error={reason.error} hint={hint}>
      {(a11y) => (
        <input
          id={reason.id}
          name="reason"
          type="text"
          autoComplete="off"
          value={reason.value}
          onChange={(event) => reason.change(event.target.value)}
          {...a11y}
        />
      )}
    </FormField>
  );
}
