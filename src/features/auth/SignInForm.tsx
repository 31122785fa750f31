import { useEffect, useRef, useState, type FormEvent } from 'react';
import { FormField } from '../../components/FormField';
import { authService } from '../../lib/api/authService';
import { toApiError } from '../../lib/api/errors';
import type { CurrentUser } from '../../lib/api/types';

interface SignInFormProps {
  /** Why the page is shown ("You signed out.", the idle or session-ended notice); may be empty. */
  message: string;
  onSignedIn: (user: CurrentUser) => void;
}

interface Problems {
  username?: string;
  password?: string;
}

/**
 * Username and password; a refused sign-in (401 wrong username or password, 429 locked
 * out) is shown as the server words it, in an alert.
 */
export function SignInForm({ message, onSignedIn }: SignInFormProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState('');
  const [sending, setSending] = useState(false);
  const messageRef = useRef<HTMLParagraphElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  // The page replaces the one the person was on: say why, or start at the first field.
  useEffect(() => {
    if (message) messageRef.current?.focus();
    else usernameRef.current?.focus();
  }, [message]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const found: Problems = {};
    if (username.trim() === '') found.username = 'Enter your username.';
    if (password === '') found.password = 'Enter your password.';
    setProblems(found);
    setError('');
    if (found.username || found.password) {
      (found.username ? usernameRef : passwordRef).current?.focus();
      return;
    }
    setSending(true);
    try {
      const user = await authService.login(username.trim(), password);
      // The login answer lacks the idle timeout; the session's own answer has it.
      const full = await authService.me().catch(() => user);
      onSignedIn({ ...user, ...full });
    } catch (caught) {
      setError(toApiError(caught).message);
      setPassword('');
      setSending(false);
      passwordRef.current?.focus();
    }
  }

  return (
    <section className="panel auth-panel" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <p
        role="status"
        className={message ? 'message message--info' : 'message-slot'}
        ref={messageRef}
        tabIndex={-1}
      >
        {message}
      </p>
      {error && (
        <p role="alert" className="message message--error">
          {error}
        </p>
      )}
      <form className="auth-form" noValidate onSubmit={submit} aria-busy={sending}>
        <FormField id="sign-in-username" label="Username" error={problems.username}>
          {(a11y) => (
            <input
              id="sign-in-username"
              name="username"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              ref={usernameRef}
              value={username}
              onChange={(event) => {
                setUsername(event.target.value);
                setProblems(({ username: _fixed, ...rest }) => rest);
              }}
              {...a11y}
            />
          )}
        </FormField>
        <FormField id="sign-in-password" label="Password" error={problems.password}>
          {(a11y) => (
            <input
              id="sign-in-password"
              name="password"
              type="password"
              autoComplete="current-password"
              ref={passwordRef}
              value={password}
              onChange={(event) => {
                setPassword(event.target.value);
                setProblems(({ password: _fixed, ...rest }) => rest);
              }}
              {...a11y}
            />
          )}
        </FormField>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={sending}>
            {sending ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
