import { useEffect, useState } from 'react';
import { SignInForm } from '../features/auth/SignInForm';
import { authService } from '../lib/api/authService';
import { toApiError } from '../lib/api/errors';
import { isAbort } from '../lib/api/http';
import type { CurrentUser } from '../lib/api/types';
import { AppHeader } from './AppHeader';
import { SignedInApp } from './SignedInApp';

type Session =
  | { kind: 'checking' }
  /** GET /auth/me failed for another reason than "no session" (server down, network). */
  | { kind: 'unreachable'; message: string }
  | { kind: 'signed-out'; message: string }
  | { kind: 'signed-in'; user: CurrentUser };

/** Asks the server who is signed in, then shows the sign-in page or the registry. */
export function App() {
  const [session, setSession] = useState<Session>({ kind: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    authService.me({ signal: controller.signal }).then(
      (user) => setSession({ kind: 'signed-in', user }),
      (caught: unknown) => {
        if (isAbort(caught) || controller.signal.aborted) return;
        const error = toApiError(caught);
        setSession(
          error.status === 401 ? { kind: 'signed-out', message: '' } : { kind: 'unreachable', message: error.message },
        );
      },
    );
    return () => controller.abort();
  }, [attempt]);

  if (session.kind === 'signed-in') {
    return (
      <SignedInApp
        user={session.user}
        onUserChange={(user) => setSession({ kind: 'signed-in', user })}
        onSignedOut={(message) => setSession({ kind: 'signed-out', message })}
      />
    );
  }

  return (
    <>
      <AppHeader />
      <main className="app-main app-main--narrow">
        {session.kind === 'signed-out' ? (
          <SignInForm message={session.message} onSignedIn={(user) => setSession({ kind: 'signed-in', user })} />
        ) : session.kind === 'unreachable' ? (
          <div role="alert" className="message message--error">
            <p>{session.message}</p>
            <button
              type="button"
              className="button"
              onClick={() => {
                setSession({ kind: 'checking' });
                setAttempt((n) => n + 1);
              }}
            >
              Try again
            </button>
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
    </>
  );
}
