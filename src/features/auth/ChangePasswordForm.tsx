import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { authService } from '../../lib/api/authService';
import { asSentence, toApiError } from '../../lib/api/errors';
import { useFieldForm, type Problems as FieldProblems } from '../../hooks/useFieldForm';
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

type Problems = FieldProblems<Field>;

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
  const form = useFieldForm({
    fields: FIELDS,
    idPrefix: 'change',
    initialValues: { currentPassword: '', newPassword: '', repeatPassword: '' },
    focusOnMount: 'currentPassword',
  });
  const { values, problems, error, inputId } = form;
  const [sending, setSending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found = check(values, username);
    if (Object.keys(found).length > 0) {
      form.showProblems(found, 'Please correct the entries marked below.');
      return;
    }
    form.clearProblems();
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
      form.showProblems(fromServer, apiError.message);
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
              onChange={(event) => form.change(field, event.target.value)}
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
