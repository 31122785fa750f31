/** Signing in and out, the current user, and changing one's own password. */
import { createHttp, isRecord, unreadable, type HttpOptions } from './http';
import type { CurrentUser } from './types';

/** What the server assumes when it does not say (its default). */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 900;

export function parseCurrentUser(value: unknown): CurrentUser {
  if (!isRecord(value) || typeof value.username !== 'string' || typeof value.role !== 'string') {
    throw unreadable();
  }
  const idle = value.idleTimeoutSeconds;
  return {
    username: value.username,
    role: value.role,
    mustChangePassword: value.mustChangePassword === true,
    idleTimeoutSeconds:
      typeof idle === 'number' && Number.isFinite(idle) && idle > 0 ? idle : DEFAULT_IDLE_TIMEOUT_SECONDS,
  };
}

export function createAuthService(options: HttpOptions = {}) {
  const { send, json } = createHttp(options);

  return {
    /** 401 for a wrong username or password, 429 when locked out after repeated failures. */
    async login(username: string, password: string): Promise<CurrentUser> {
      const body = { username, password };
      return parseCurrentUser(await json('POST', '/auth/login', { body, needsSession: false }));
    },

    /** The signed-in user; an ApiError with status 401 when there is no session. */
    async me(options: { signal?: AbortSignal; needsSession?: boolean } = {}): Promise<CurrentUser> {
      const { signal, needsSession = false } = options;
      return parseCurrentUser(await json('GET', '/auth/me', { signal, needsSession }));
    },

    async logout(): Promise<void> {
      await send('POST', '/auth/logout', { needsSession: false });
    },

    /** 400 with errors on "currentPassword" or "newPassword" when refused. */
    async changePassword(currentPassword: string, newPassword: string): Promise<void> {
      await send('POST', '/auth/password', { body: { currentPassword, newPassword } });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

export const authService = createAuthService();
