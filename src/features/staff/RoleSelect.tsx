import { ROLES, ROLE_LABELS } from '../../lib/api/types';

interface RoleSelectProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Offer an empty "Choose…" first (a new account has no role yet). */
  withEmpty?: boolean;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

export function RoleSelect({ id, value, onChange, withEmpty, ...a11y }: RoleSelectProps) {
  return (
    <select id={id} name="role" value={value} onChange={(event) => onChange(event.target.value)} {...a11y}>
      {withEmpty && <option value="">Choose…</option>}
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}
