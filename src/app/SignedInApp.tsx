import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Section } from '../components/Section';
import { ChangePasswordForm } from '../features/auth/ChangePasswordForm';
import { SESSION_ENDED_MESSAGE, SIGNED_OUT_MESSAGE, idleSignOutMessage } from '../features/auth/messages';
import { canAudit, canManageStaff, canReviewDuplicates, roleLabel } from '../features/auth/roles';
import { useIdleTimer } from '../features/auth/useIdleTimer';
import { useHashRoute } from '../hooks/useHashRoute';
import { authService } from '../lib/api/authService';
import { toApiError } from '../lib/api/errors';
import { onSessionEnded } from '../lib/api/http';
import type { CurrentUser } from '../lib/api/types';
import { ACTIVITY_HREF, DELETED_PATIENTS_HREF, DUPLICATES_HREF } from '../lib/routes';
import { AppHeader } from './AppHeader';
import { Registry } from './Registry';

interface SignedInAppProps {
  user: CurrentUser;
  onUserChange: (user: CurrentUser) => void;
  /** Back to the sign-in page, which shows `message`. */
  onSignedOut: (message: string) => void;
}

/** Tell the server at most this often that the person is active (it only sees requests). */
const KEEP_ALIVE_MAX_SECONDS = 300;

/**
 * Everything behind sign-in: the header with the user and Sign out, the forced password
 * change when the account has a temporary password, else the registry. Signs out by itself
 * after the idle timeout, and leaves when any request finds the session gone (401).
 */
export function SignedInApp({ user, onUserChange, onSignedOut }: SignedInAppProps) {
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState('');
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const route = useHashRoute();

  const sessionEnded = useEffectEvent(() => onSignedOut(SESSION_ENDED_MESSAGE));
  useEffect(() => onSessionEnded(() => sessionEnded()), []);

  useIdleTimer({
    timeoutSeconds: user.idleTimeoutSeconds,
    onIdle: () => {
      // The page goes at once; the server is told on the way (its own clock ends it anyway).
      authService.logout().catch(() => undefined);
      onSignedOut(idleSignOutMessage(user.idleTimeoutSeconds));
    },
    keepAliveSeconds: Math.min(KEEP_ALIVE_MAX_SECONDS, user.idleTimeoutSeconds / 3),
    onKeepAlive: () => {
      // A 401 here ends the page's session too (through onSessionEnded).
      authService.me({ needsSession: true }).then(onUserChange, () => undefined);
    },
  });

  async function signOut() {
    setSigningOut(true);
    setSignOutError('');
    try {
      await authService.logout();
    } catch (caught) {
      const error = toApiError(caught);
      // 401: the session had ended already, which is what was asked for.
      if (error.status !== 401) {
        setSignOutError(`Could not sign out. ${error.message}`);
        setSigningOut(false);
        return;
      }
    }
    onSignedOut(SIGNED_OUT_MESSAGE);
  }

  function passwordChanged() {
    flushSync(() => {
      setNotice('Your password was changed.');
      onUserChange({ ...user, mustChangePassword: false });
    });
    // The form is gone; the confirmation takes the focus instead of <body>.
    noticeRef.current?.focus();
  }

  return (
    <>
      <AppHeader>
        {!user.mustChangePassword && (
          <nav aria-label="Sections">
            <a href="#register">Register</a>
            <a href="#find">Find</a>
            <a href="#patients">Patients</a>
            {canManageStaff(user.role) && <a href="#staff">Staff</a>}
            {canReviewDuplicates(user.role) && (
              <a href={DUPLICATES_HREF} aria-current={route.page === 'duplicates' ? 'page' : undefined}>
                Possible duplicates
              </a>
            )}
            {canAudit(user.role) && (
              <>
                <a href={ACTIVITY_HREF} aria-current={route.page === 'activity' ? 'page' : undefined}>
                  Activity
                </a>
                <a href={DELETED_PATIENTS_HREF} aria-current={route.page === 'deleted-patients' ? 'page' : undefined}>
                  Deleted patients
                </a>
              </>
            )}
          </nav>
        )}
        <div className="app-header__user">
          <p className="app-header__who">
            Signed in as <strong>{user.username}</strong> ({roleLabel(user.role)})
          </p>
          <button type="button" className="button button--small" onClick={signOut} disabled={signingOut}>
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </AppHeader>
      <main className="app-main">
        {signOutError && (
          <p role="alert" className="message message--error">
            {signOutError}
          </p>
        )}
        <p
          role="status"
          className={notice ? 'message message--success' : 'message-slot'}
          ref={noticeRef}
          tabIndex={-1}
        >
          {notice}
        </p>
        {user.mustChangePassword ? (
          <Section
            id="change-password"
            title="Change your password"
            intro="Your password was set by an administrator. Choose your own before going on."
            className="auth-panel"
          >
            <ChangePasswordForm username={user.username} onChanged={passwordChanged} />
          </Section>
        ) : (
          <Registry role={user.role} route={route} />
        )}
      </main>
    </>
  );
}
