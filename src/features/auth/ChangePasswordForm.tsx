import { useEffect, useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { authService } from '../../lib/api/authService';
import { asSentence, toApiError } from '../../lib/api/errors';
import { PASSWORD_HINT, passwordProblem } from './passwordRules';

interface ChangePasswordFormProps {
  username: string;
  onChanged: () => void;
}

type Field = 'currentPassword' | 'newPassword' | 'repeatPassword';

const FIELDS: readonly Field[] = ['currentPassword', 'newPassword', 'repeatPassword'];

const LABELS: Record<Field, string> = {
  currentPassword: 'Current password',
  newPassword: 'New password',
  repeatPassword: 'Repeat new password',
};

const AUTOCOMPLETE: Record<Field, string> = {
  currentPassword: 'current-password',
  newPassword: 'new-password',
  repeatPassword: 'new-password',
};

const inputId = (field: Field) => `change-${field}`;

type Problems = Partial<Record<Field, string>>;

function check(values: Record<Field, string>, username: string): Problems {
  const found: Problems = {};
  if (values.currentPassword === '') found.currentPassword = 'Enter your current password.';
  const weak = passwordProblem(values.newPassword, username, 'The new password');
  if (weak) found.newPassword = weak;
  if (values.repeatPassword !== values.newPassword) found.repeatPassword = 'The two new passwords do not match.';
  return found;
}

/**
 * Current, new and repeated new password (POST /auth/password). The server's refusals
 * (wrong current password; a new one its policy rejects) are shown next to the field.
 */
export function ChangePasswordForm({ username, onChanged }: ChangePasswordFormProps) {
  const [values, setValues] = useState<Record<Field, string>>({
    currentPassword: '',
    newPassword: '',
    repeatPassword: '',
  });
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const [focusRequest, setFocusRequest] = useState<{ field: Field } | null>({ field: 'currentPassword' });

  // Focus moves once React has rendered the messages the input points to.
  useEffect(() => {
    if (focusRequest) document.getElementById(inputId(focusRequest.field))?.focus();
  }, [focusRequest]);

  function showProblems(found: Problems, message: string) {
    setProblems(found);
    setError(message);
    const first = FIELDS.find((field) => found[field] !== undefined);
    if (first) setFocusRequest({ field: first });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found = check(values, username);
    if (Object.keys(found).length > 0) {
      showProblems(found, 'Please correct the entries marked below.');
      return;
    }
    setProblems({});
    setError('');
    setSending(true);
    try {
      await authService.changePassword(values.currentPassword, values.newPassword);
      onChanged();
    } catch (caught) {
      const apiError = toApiError(caught);
      const fromServer: Problems = {};
      for (const field of ['currentPassword', 'newPassword'] as const) {
        const message = apiError.fields[field];
        if (message) fromServer[field] = asSentence(LABELS[field], message);
      }
      setSending(false);
      showProblems(fromServer, apiError.message);
    }
  }

  return (
    <form className="auth-form" noValidate onSubmit={submit} aria-busy={sending}>
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
      {FIELDS.map((field) => (
        <FormField
          key={field}
          id={inputId(field)}
          label={LABELS[field]}
          error={problems[field]}
          hint={field === 'newPassword' ? PASSWORD_HINT : undefined}
        >
          {(a11y) => (
            <input
              id={inputId(field)}
              name={field}
              type="password"
              autoComplete={AUTOCOMPLETE[field]}
              value={values[field]}
              onChange={(event) => {
                const value = event.target.value;
                setValues((previous) => ({ ...previous, [field]: value }));
                setProblems(({ [field]: _fixed, ...rest }) => rest);
              }}
              {...a11y}
            />
          )}
        </FormField>
      ))}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={sending}>
          {sending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
