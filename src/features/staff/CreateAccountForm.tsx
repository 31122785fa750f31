import { useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { useFieldForm, type Problems as FieldProblems } from '../../hooks/useFieldForm';
import { toApiError } from '../../lib/api/errors';
import { staffService } from '../../lib/api/staffService';
import type { StaffAccount } from '../../lib/api/types';
import { isRole } from '../auth/roles';
import { passwordProblem } from '../auth/passwordRules';
import { PlainTextInput } from './PlainTextInput';
import { RoleSelect } from './RoleSelect';
import { TEMPORARY_PASSWORD_HINT, fieldMessages } from './staffFields';

type Field = 'username' | 'role' | 'password';

const FIELDS: readonly Field[] = ['username', 'role', 'password'];
const LABELS: Record<Field, string> = { username: 'Username', role: 'Role', password: 'Temporary password' };
const EMPTY: Record<Field, string> = { username: '', role: '', password: '' };

type Problems = FieldProblems<Field>;

/** The server's rule for usernames. */
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const USERNAME_HINT = 'Letters, digits and . _ @ - only; 64 at most.';

function check(values: Record<Field, string>): Problems {
  const found: Problems = {};
  const username = values.username.trim();
  if (username === '') found.username = 'Enter a username.';
  else if (!USERNAME.test(username)) found.username = 'Use only letters, digits and . _ @ - in the username, 64 at most.';
  if (!isRole(values.role)) found.role = 'Choose a role.';
  const weak = passwordProblem(values.password, values.username, 'The temporary password');
  if (weak) found.password = weak;
  return found;
}

interface CreateAccountFormProps {
  onCreated: (account: StaffAccount) => void;
}

/**
 * A new staff account (POST /users) with a temporary password, which the person changes
 * at first sign-in. A taken username (409) and a refused password (400) show at the field.
 */
export function CreateAccountForm({ onCreated }: CreateAccountFormProps) {
  const form = useFieldForm({ fields: FIELDS, idPrefix: 'new-account', initialValues: EMPTY });
  const { values, problems, error, inputId, change } = form;
  const [sending, setSending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found = check(values);
    if (Object.keys(found).length > 0 || !isRole(values.role)) {
      form.showProblems(found, 'Please correct the entries marked below.');
      return;
    }
    form.clearProblems();
    setSending(true);
    try {
      const created = await staffService.create({
        username: values.username.trim(),
        role: values.role,
        password: values.password,
      });
      form.reset(EMPTY, 'username');
      onCreated(created);
    } catch (caught) {
      const apiError = toApiError(caught);
      const fromServer = fieldMessages(apiError, LABELS);
      // 409: the username is taken (ignoring case), whether or not the server names the field.
      if (apiError.status === 409 && Object.keys(fromServer).length === 0) fromServer.username = apiError.message;
      form.showProblems(fromServer, apiError.message);
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="staff-form" noValidate onSubmit={submit} aria-busy={sending} aria-labelledby="new-account-title">
      <h3 id="new-account-title">Add a staff account</h3>
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
      <div className="staff-form__fields">
        <FormField id={inputId('username')} label={LABELS.username} error={problems.username} hint={USERNAME_HINT}>
          {(a11y) => (
            <PlainTextInput
              id={inputId('username')}
              name="username"
              value={values.username}
              onChange={(value) => change('username', value)}
              {...a11y}
            />
          )}
        </FormField>
        <FormField id={inputId('role')} label={LABELS.role} error={problems.role}>
          {(a11y) => (
            <RoleSelect
              id={inputId('role')}
              value={values.role}
              withEmpty
              onChange={(value) => change('role', value)}
              {...a11y}
            />
          )}
        </FormField>
        <FormField
          id={inputId('password')}
          label={LABELS.password}
          error={problems.password}
          hint={TEMPORARY_PASSWORD_HINT}
        >
          {(a11y) => (
            <PlainTextInput
              id={inputId('password')}
              name="password"
              value={values.password}
              onChange={(value) => change('password', value)}
              {...a11y}
            />
          )}
        </FormField>
      </div>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={sending}>
          {sending ? 'Creating…' : 'Create account'}
        </button>
      </div>
    </form>
  );
}
