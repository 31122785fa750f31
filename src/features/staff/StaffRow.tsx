import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { flushSync } from 'react-dom';
import { ActionsCell } from '../../components/DataTable';
import { FormField } from '../../components/FormField';
import { RowForm } from '../../components/RowForm';
import { toApiError } from '../../lib/api/errors';
import { staffService } from '../../lib/api/staffService';
import type { StaffAccount, StaffAccountPatch } from '../../lib/api/types';
import { passwordProblem } from '../auth/passwordRules';
import { isRole, roleLabel } from '../auth/roles';
import { PlainTextInput } from './PlainTextInput';
import { RoleSelect } from './RoleSelect';
import { TEMPORARY_PASSWORD_HINT, fieldMessages } from './staffFields';

interface StaffRowProps {
  account: StaffAccount;
  /** After a change the server accepted: the notice to show, and the list reloads. */
  onChanged: (notice: string) => void;
}

type Mode = 'view' | 'role' | 'reset';

/**
 * One account with its actions: change the role, disable or enable, reset the password
 * (to a temporary one the person must change). Refusals (409: no active admin would be left;
 * 400: a weak password) are shown in the row.
 */
export function StaffRow({ account, onChanged }: StaffRowProps) {
  const { id, username } = account;
  const [mode, setMode] = useState<Mode>('view');
  const [role, setRole] = useState(account.role);
  const [password, setPassword] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const roleButton = useRef<HTMLButtonElement>(null);
  const resetButton = useRef<HTMLButtonElement>(null);
  const fieldId = `account-${String(id)}-${mode}`;

  // The opened form's field takes the focus.
  useEffect(() => {
    if (mode !== 'view') document.getElementById(fieldId)?.focus();
  }, [mode, fieldId]);

  function open(next: Mode) {
    setRole(account.role);
    setPassword('');
    setFieldError('');
    setError('');
    setMode(next);
  }

  function close() {
    const opener = mode === 'role' ? roleButton : resetButton;
    flushSync(() => {
      setMode('view');
      setFieldError('');
    });
    opener.current?.focus();
  }

  async function send(patch: StaffAccountPatch, notice: string, field?: 'role' | 'password') {
    setSending(true);
    setError('');
    setFieldError('');
    try {
      await staffService.update(id, patch);
      if (mode !== 'view') close();
      onChanged(notice);
    } catch (caught) {
      const apiError = toApiError(caught);
      const label = field === 'password' ? 'The temporary password' : 'Role';
      const atField = field ? fieldMessages(apiError, { [field]: label })[field] : undefined;
      if (atField) setFieldError(atField);
      setError(apiError.message);
    } finally {
      setSending(false);
    }
  }

  function saveRole(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending || !isRole(role)) return;
    if (role === account.role) return close();
    void send({ role }, `Changed the role of ${username} to ${roleLabel(role)}.`, 'role');
  }

  function resetPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const problem = passwordProblem(password, username, 'The temporary password');
    if (problem) {
      setFieldError(problem);
      document.getElementById(fieldId)?.focus();
      return;
    }
    void send(
      { password },
      `Reset the password of ${username}. They must change it when they next sign in.`,
      'password',
    );
  }

  function escape(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key !== 'Escape' || sending) return;
    event.preventDefault();
    close();
  }

  const toggle = account.disabled
    ? { label: 'Enable', patch: { disabled: false }, notice: `Enabled ${username}.` }
    : { label: 'Disable', patch: { disabled: true }, notice: `Disabled ${username}. Their sessions have ended.` };

  const rowForm = { sending, onCancel: close, onKeyDown: escape };

  return (
    <tr className="row">
      <td data-label="Username">{username}</td>
      <td data-label="Role">{roleLabel(account.role)}</td>
      <td data-label="Status">{account.disabled ? 'Disabled' : 'Active'}</td>
      <td data-label="Password">{account.mustChangePassword ? 'Must change at next sign-in' : 'Chosen by the user'}</td>
      <ActionsCell error={error}>
        {mode === 'role' ? (
          <RowForm {...rowForm} onSubmit={saveRole} submitLabel="Save role" sendingLabel="Saving…">
            <FormField id={fieldId} label={`New role for ${username}`} error={fieldError}>
              {(a11y) => <RoleSelect id={fieldId} value={role} onChange={setRole} {...a11y} />}
            </FormField>
          </RowForm>
        ) : mode === 'reset' ? (
          <RowForm
            {...rowForm}
            onSubmit={resetPassword}
            submitLabel="Reset password"
            sendingLabel="Resetting…"
          >
            <FormField
              id={fieldId}
              label={`New temporary password for ${username}`}
              error={fieldError}
              hint={TEMPORARY_PASSWORD_HINT}
            >
              {(a11y) => (
                <PlainTextInput
                  id={fieldId}
                  name="password"
                  value={password}
                  onChange={(value) => {
                    setPassword(value);
                    setFieldError('');
                  }}
                  {...a11y}
                />
              )}
            </FormField>
          </RowForm>
        ) : (
          <div className="row__buttons row__buttons--wrap">
            <button
              type="button"
              className="button button--small"
              ref={roleButton}
              aria-label={`Change role of ${username}`}
              onClick={() => open('role')}
            >
              Change role
            </button>
            <button
              type="button"
              className={account.disabled ? 'button button--small' : 'button button--small button--danger-outline'}
              aria-label={`${toggle.label} ${username}`}
              aria-disabled={sending || undefined}
              onClick={() => {
                // Not `disabled` while sending: the button keeps the keyboard focus.
                if (!sending) void send(toggle.patch, toggle.notice);
              }}
            >
              {toggle.label}
            </button>
            <button
              type="button"
              className="button button--small"
              ref={resetButton}
              aria-label={`Reset password of ${username}`}
              onClick={() => open('reset')}
            >
              Reset password
            </button>
          </div>
        )}
      </ActionsCell>
    </tr>
  );
}
