import { describe, expect, it, vi } from 'vitest';
import { errorResponse, jsonResponse } from '../../testing/fakeApi';
import { createAuthService } from './authService';
import { ApiError } from './errors';
import { onSessionEnded, type FetchLike } from './http';
import { createPatientService } from './patientService';
import { createStaffService } from './staffService';

function recorder(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { calls, fetch };
}

describe('every request', () => {
  it('carries the session cookie, also to another origin (credentials: include)', async () => {
    const { calls, fetch } = recorder(() => jsonResponse([]));
    await createPatientService({ baseUrl: 'http://localhost:8000', fetch }).findByPatientId('P1');
    await createStaffService({ baseUrl: 'http://localhost:8000', fetch }).list();
    expect(calls.map((c) => c.init.credentials)).toEqual(['include', 'include']);
    expect(calls[0]?.url).toBe('http://localhost:8000/patients?patientID=P1');
  });
});

describe('a 401', () => {
  it('tells the page the session has ended when a request needed it', async () => {
    const { fetch } = recorder(() => errorResponse(401, 'Sign in first.'));
    const ended = vi.fn();
    const stop = onSessionEnded(ended);
    try {
      await expect(createPatientService({ fetch }).get(1)).rejects.toMatchObject({ status: 401 });
      expect(ended).toHaveBeenCalledOnce();
      // Signing in, asking who is signed in, and signing out may answer 401 without that meaning.
      const auth = createAuthService({ fetch });
      await expect(auth.login('a', 'b')).rejects.toMatchObject({ status: 401, message: 'Sign in first.' });
      await expect(auth.me()).rejects.toBeInstanceOf(ApiError);
      await expect(auth.logout()).rejects.toBeInstanceOf(ApiError);
      expect(ended).toHaveBeenCalledOnce();
    } finally {
      stop();
    }
    await expect(createPatientService({ fetch }).get(1)).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
  });
});

describe('authService', () => {
  it('signs in, asks who is signed in, signs out and changes the password on the contract routes', async () => {
    const { calls, fetch } = recorder((url) =>
      url.endsWith('/auth/me')
        ? jsonResponse({ username: 'cleo', role: 'clinician', mustChangePassword: false, idleTimeoutSeconds: 600 })
        : url.endsWith('/auth/login')
          ? jsonResponse({ username: 'cleo', role: 'clinician', mustChangePassword: true })
          : new Response(null, { status: 204 }),
    );
    const auth = createAuthService({ baseUrl: '', fetch });
    expect(await auth.login('cleo', 'pw')).toEqual({
      username: 'cleo',
      role: 'clinician',
      mustChangePassword: true,
      idleTimeoutSeconds: 900,
    });
    expect(await auth.me()).toMatchObject({ idleTimeoutSeconds: 600, mustChangePassword: false });
    await auth.logout();
    await auth.changePassword('old', 'new');
    expect(calls.map(({ url, init }) => [init.method, url, init.body])).toEqual([
      ['POST', '/auth/login', JSON.stringify({ username: 'cleo', password: 'pw' })],
      ['GET', '/auth/me', undefined],
      ['POST', '/auth/logout', undefined],
      ['POST', '/auth/password', JSON.stringify({ currentPassword: 'old', newPassword: 'new' })],
    ]);
  });

  it('keeps field errors by wire name for the password form', async () => {
    const { fetch } = recorder(() =>
      errorResponse(400, 'The password was not changed.', [{ field: 'body.newPassword', message: 'is too common' }]),
    );
    const error = await createAuthService({ fetch })
      .changePassword('a', 'b')
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, message: 'The password was not changed.', fields: { newPassword: 'is too common' } });
  });
});

describe('staffService', () => {
  it('lists, creates and changes accounts', async () => {
    const account = { id: 4, username: 'bob', role: 'clinician', disabled: false, mustChangePassword: true, createdAt: '2025-01-01T00:00:00Z' };
    const { calls, fetch } = recorder((_url, init) =>
      init.method === 'GET' ? jsonResponse([account]) : jsonResponse(account, init.method === 'POST' ? 201 : 200),
    );
    const staff = createStaffService({ baseUrl: '', fetch });
    expect(await staff.list()).toEqual([account]);
    await staff.create({ username: 'bob', role: 'clinician', password: 'temporary pass' });
    await staff.update(4, { disabled: true });
    expect(calls.map(({ url, init }) => [init.method, url])).toEqual([
      ['GET', '/users'],
      ['POST', '/users'],
      ['PATCH', '/users/4'],
    ]);
  });

  it('refuses an answer that is not a list of accounts', async () => {
    const { fetch } = recorder(() => jsonResponse({ nope: true }));
    await expect(createStaffService({ fetch }).list()).rejects.toMatchObject({
      message: 'The server sent an answer this page cannot read.',
    });
  });

  it("keeps a 409's sentence (it is not about a patient ID)", async () => {
    const { fetch } = recorder(() => errorResponse(409, 'This would leave no active admin.'));
    const error = await createStaffService({ fetch })
      .update(1, { disabled: true })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 409, message: 'This would leave no active admin.', fieldErrors: {}, fields: {} });
  });
});
