import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PASSWORDS,
  dataRequests,
  defaultAccounts,
  errorResponse,
  fakeBackend,
  makePatient,
  pathOf,
  stubFetch,
} from '../testing/fakeApi';
import { App } from './App';

const user = userEvent.setup();

async function signIn(username: string, password: string) {
  await user.type(await screen.findByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

const banner = () => screen.getByRole('banner');

describe('signing in', () => {
  it('shows the sign-in page when there is no session, and asks for nothing else', async () => {
    const { sent } = fakeBackend();
    render(<App />);
    expect(await screen.findByRole('heading', { level: 2, name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Patient Registry' })).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveAttribute('autocomplete', 'username');
    expect(screen.getByLabelText('Password')).toHaveAttribute('type', 'password');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toHaveFocus();
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /auth/me']);
  });

  it('signs in, then shows the registry with the username and role', async () => {
    const { sent } = fakeBackend({ patients: [] });
    render(<App />);
    await signIn('cleo', PASSWORDS.clinician);

    expect(await within(banner()).findByText(/Signed in as/)).toHaveTextContent('Signed in as cleo (Clinician)');
    expect(within(banner()).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    for (const name of ['Register a patient', 'Find a patient', 'Patients']) {
      expect(screen.getByRole('region', { name })).toBeInTheDocument();
    }
    expect(await screen.findByText('No patients registered yet.')).toBeInTheDocument();
    expect(sent.find((r) => pathOf(r) === '/auth/login')).toEqual({
      method: 'POST',
      url: '/auth/login',
      body: { username: 'cleo', password: PASSWORDS.clinician },
    });
    expect(screen.queryByRole('link', { name: 'Staff' })).not.toBeInTheDocument();
  });

  it("shows a refused sign-in (401) in the server's words, in an alert, and empties the password", async () => {
    const { sent } = fakeBackend();
    render(<App />);
    await signIn('cleo', 'not the password');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    expect(screen.getByLabelText('Password')).toHaveFocus();
    expect(screen.getByLabelText('Username')).toHaveValue('cleo');
    expect(dataRequests(sent)).toEqual([]);
  });

  it('shows a lock-out (429) in an alert', async () => {
    fakeBackend({
      routes: {
        'POST /auth/login': () =>
          errorResponse(429, 'Too many failed sign-ins. Try again in 5 minutes.', undefined, { 'Retry-After': '300' }),
      },
    });
    render(<App />);
    await signIn('cleo', PASSWORDS.clinician);
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many failed sign-ins. Try again in 5 minutes.');
  });

  it('asks for the username and password before sending anything', async () => {
    const { sent } = fakeBackend();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription('Enter your username.');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('Enter your password.');
    expect(sent.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('goes straight to the registry when the session is still there', async () => {
    fakeBackend({ signedIn: 'cleo' });
    render(<App />);
    expect(await screen.findByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
  });

  it('says when the server cannot be reached, and tries again on request', async () => {
    let down = true;
    stubFetch(() =>
      down
        ? Promise.reject(new TypeError('Failed to fetch'))
        : new Response(JSON.stringify({ detail: 'Sign in first.' }), { status: 401 }),
    );
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the patient registry server.');
    down = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });
});

describe('the forced password change', () => {
  function mustChange() {
    const accounts = defaultAccounts().map((a) =>
      a.username === 'cleo' ? { ...a, password: 'temporary pass 1', mustChangePassword: true } : a,
    );
    return fakeBackend({ accounts });
  }

  async function fill(current: string, next: string, repeat = next) {
    for (const [label, value] of [
      ['Current password', current],
      ['New password', next],
      ['Repeat new password', repeat],
    ] as const) {
      await user.clear(screen.getByLabelText(label));
      if (value) await user.type(screen.getByLabelText(label), value);
    }
    await user.click(screen.getByRole('button', { name: 'Change password' }));
  }

  it('comes before anything else after signing in with a temporary password', async () => {
    const { sent } = mustChange();
    render(<App />);
    await signIn('cleo', 'temporary pass 1');
    expect(await screen.findByRole('region', { name: 'Change your password' })).toBeInTheDocument();
    expect(screen.getByLabelText('Current password')).toHaveFocus();
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/At least 12 characters/);
    expect(screen.queryByRole('region', { name: 'Patients' })).not.toBeInTheDocument();
    expect(screen.queryByRole('navigation', { name: 'Sections' })).not.toBeInTheDocument();
    expect(within(banner()).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(dataRequests(sent)).toEqual([]);
  });

  it('checks the new password in the page first', async () => {
    const { sent } = mustChange();
    render(<App />);
    await signIn('cleo', 'temporary pass 1');
    await screen.findByRole('region', { name: 'Change your password' });
    await fill('temporary pass 1', 'short', 'other');
    expect(screen.getByRole('alert')).toHaveTextContent('Please correct the entries marked below.');
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(
      /The new password must be at least 12 characters\./,
    );
    expect(screen.getByLabelText('Repeat new password')).toHaveAccessibleDescription('The two new passwords do not match.');
    expect(screen.getByLabelText('New password')).toHaveFocus();
    await fill('temporary pass 1', 'cleo');
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/at least 12 characters/);
    expect(sent.some((r) => pathOf(r) === '/auth/password')).toBe(false);
  });

  it("shows the server's field errors next to the fields", async () => {
    mustChange();
    render(<App />);
    await signIn('cleo', 'temporary pass 1');
    await screen.findByRole('region', { name: 'Change your password' });

    await fill('wrong pass 12345', 'a good new password');
    expect(await screen.findByRole('alert')).toHaveTextContent('The password was not changed.');
    expect(screen.getByLabelText('Current password')).toHaveAccessibleDescription(
      'Current password is not your current password.',
    );
    expect(screen.getByLabelText('Current password')).toHaveAttribute('aria-invalid', 'true');

    await fill('temporary pass 1', 'password1234');
    expect(await screen.findByText('New password is too common.')).toBeInTheDocument();
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(/New password is too common\./);
    expect(screen.getByLabelText('New password')).toHaveFocus();
  });

  it('then opens the registry', async () => {
    const { sent } = mustChange();
    render(<App />);
    await signIn('cleo', 'temporary pass 1');
    await screen.findByRole('region', { name: 'Change your password' });
    await fill('temporary pass 1', 'my own long password');
    expect(await screen.findByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(screen.getByText('Your password was changed.')).toHaveFocus();
    expect(sent.find((r) => pathOf(r) === '/auth/password')?.body).toEqual({
      currentPassword: 'temporary pass 1',
      newPassword: 'my own long password',
    });
  });
});

describe('signing out', () => {
  it('signs out on the server and says so on the sign-in page', async () => {
    const backend = fakeBackend({ signedIn: 'cleo' });
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('You signed out.');
    expect(screen.getByRole('status')).toHaveFocus();
    expect(backend.sent.at(-1)).toMatchObject({ method: 'POST', url: '/auth/logout' });
    expect(backend.session.username).toBeNull();
    expect(screen.queryByRole('region', { name: 'Patients' })).not.toBeInTheDocument();
  });

  it('goes back to the sign-in page when a request finds the session gone (401)', async () => {
    const backend = fakeBackend({ signedIn: 'cleo', patients: [makePatient()] });
    render(<App />);
    await screen.findByText('1 patient');
    backend.session.username = null; // signed out elsewhere, or timed out on the server
    await user.type(screen.getByLabelText('Name or condition'), 'x');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Your session has ended. Please sign in again.');
  });
});

describe('signing out after inactivity', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs out after idleTimeoutSeconds without a key or pointer press, and says after how long', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const backend = fakeBackend({ signedIn: 'cleo', idleTimeoutSeconds: 120 });
    render(<App />);
    await screen.findByRole('region', { name: 'Patients' });

    await act(() => vi.advanceTimersByTimeAsync(100_000));
    fireEvent.keyDown(document.body, { key: 'a' }); // activity: the clock starts again
    await act(() => vi.advanceTimersByTimeAsync(100_000));
    fireEvent.pointerDown(document.body);
    await act(() => vi.advanceTimersByTimeAsync(100_000));
    expect(screen.getByRole('region', { name: 'Patients' })).toBeInTheDocument();
    expect(backend.sent.some((r) => pathOf(r) === '/auth/logout')).toBe(false);

    await act(() => vi.advanceTimersByTimeAsync(21_000));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('You were signed out after 2 minutes without activity.');
    expect(backend.sent.some((r) => r.method === 'POST' && pathOf(r) === '/auth/logout')).toBe(true);
  });

  it('counts in seconds under a minute', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fakeBackend({ signedIn: 'cleo', idleTimeoutSeconds: 45 });
    render(<App />);
    await screen.findByRole('region', { name: 'Patients' });
    await act(() => vi.advanceTimersByTimeAsync(45_000));
    expect(await screen.findByRole('status')).toHaveTextContent('You were signed out after 45 seconds without activity.');
  });

  it('tells the server the person is active, at most every third of the timeout', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const backend = fakeBackend({ signedIn: 'cleo', idleTimeoutSeconds: 90 });
    render(<App />);
    await screen.findByRole('region', { name: 'Patients' });
    const pings = () => backend.sent.filter((r) => pathOf(r) === '/auth/me').length;
    const atStart = pings();
    fireEvent.keyDown(document.body, { key: 'a' });
    expect(pings()).toBe(atStart); // too soon
    await act(() => vi.advanceTimersByTimeAsync(31_000));
    fireEvent.keyDown(document.body, { key: 'b' });
    fireEvent.keyDown(document.body, { key: 'c' });
    expect(pings()).toBe(atStart + 1);
  });
});
