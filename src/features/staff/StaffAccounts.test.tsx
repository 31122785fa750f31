import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../app/App';
import { fakeBackend, pathOf } from '../../testing/fakeApi';
import { StaffAccounts } from './StaffAccounts';

const user = userEvent.setup();

const rowOf = (username: string) =>
  screen.getAllByRole('row').find((row) => within(row).queryByRole('cell', { name: username })) ??
  (() => {
    throw new Error(`no row for ${username}`);
  })();

const userRequests = (sent: { method: string; url: string; body: unknown }[]) =>
  sent.filter((r) => pathOf(r).startsWith('/users') && r.method !== 'GET').map(({ method, url, body }) => ({ method, url, body }));

async function staffPage() {
  const backend = fakeBackend({ signedIn: 'ada' });
  render(<StaffAccounts />);
  await screen.findByRole('cell', { name: 'cleo' });
  return backend;
}

async function createAccount(username: string, role: string, password: string) {
  const form = screen.getByRole('form', { name: 'Add a staff account' });
  await user.type(within(form).getByLabelText('Username'), username);
  if (role) await user.selectOptions(within(form).getByLabelText('Role'), role);
  await user.type(within(form).getByLabelText('Temporary password'), password);
  await user.click(within(form).getByRole('button', { name: 'Create account' }));
  return form;
}

describe('the Staff page', () => {
  it('is there for admins only, with a link in the navigation', async () => {
    fakeBackend({ signedIn: 'ada' });
    const { unmount } = render(<App />);
    expect(await screen.findByRole('region', { name: 'Staff accounts' })).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Sections' })).getByRole('link', { name: 'Staff' })).toHaveAttribute(
      'href',
      '#staff',
    );
    unmount();

    const { sent } = fakeBackend({ signedIn: 'cleo' });
    render(<App />);
    await screen.findByRole('region', { name: 'Patients' });
    expect(screen.queryByRole('region', { name: 'Staff accounts' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Staff' })).not.toBeInTheDocument();
    expect(sent.some((r) => pathOf(r) === '/users')).toBe(false);
  });

  it('lists the accounts with role, status and whether the password must be changed', async () => {
    const backend = fakeBackend({ signedIn: 'ada' });
    backend.accounts.push({ id: 9, username: 'old', password: 'x', role: 'receptionist', disabled: true, mustChangePassword: true });
    render(<StaffAccounts />);
    const table = await screen.findByRole('table', { name: 'Accounts' });
    const rows = within(table).getAllByRole('row').slice(1).map((row) =>
      within(row).getAllByRole('cell').slice(0, 4).map((cell) => cell.textContent),
    );
    expect(rows).toEqual([
      ['ada', 'Admin', 'Active', 'Chosen by the user'],
      ['cleo', 'Clinician', 'Active', 'Chosen by the user'],
      ['remy', 'Receptionist', 'Active', 'Chosen by the user'],
      ['old', 'Receptionist', 'Disabled', 'Must change at next sign-in'],
    ]);
  });

  it('creates an account with a temporary password', async () => {
    const backend = await staffPage();
    const form = await createAccount('bob', 'Clinician', 'temporary pass 1');
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Created the clinician account bob. They must change the temporary password at first sign-in.',
    );
    expect(userRequests(backend.sent)).toEqual([
      { method: 'POST', url: '/users', body: { username: 'bob', role: 'clinician', password: 'temporary pass 1' } },
    ]);
    expect(await screen.findByRole('cell', { name: 'bob' })).toBeInTheDocument();
    expect(within(rowOf('bob')).getByRole('cell', { name: 'Must change at next sign-in' })).toBeInTheDocument();
    expect(within(form).getByLabelText('Username')).toHaveValue('');
  });

  it('checks the entries first, then shows a taken username and a refused password at their fields', async () => {
    const backend = await staffPage();
    const form = await createAccount('bob smith', '', 'short');
    expect(within(form).getByLabelText('Username')).toHaveAccessibleDescription(
      /Use only letters, digits and \. _ @ - in the username, 64 at most\./,
    );
    expect(within(form).getByLabelText('Role')).toHaveAccessibleDescription('Choose a role.');
    expect(within(form).getByLabelText('Temporary password')).toHaveAccessibleDescription(
      /The temporary password must be at least 12 characters\./,
    );
    expect(userRequests(backend.sent)).toEqual([]);

    await user.clear(within(form).getByLabelText('Username'));
    await user.clear(within(form).getByLabelText('Temporary password'));
    await createAccount('CLEO', 'Receptionist', 'temporary pass 1');
    expect(await within(form).findByRole('alert')).toHaveTextContent('That username is taken.');
    expect(within(form).getByLabelText('Username')).toHaveAccessibleDescription(/^That username is taken\./);
    expect(within(form).getByLabelText('Username')).toHaveFocus();

    await user.clear(within(form).getByLabelText('Username'));
    await user.clear(within(form).getByLabelText('Temporary password'));
    await createAccount('bob', 'Receptionist', 'password1234');
    expect(await within(form).findByText('Temporary password is too common.')).toBeInTheDocument();
    expect(within(form).getByLabelText('Temporary password')).toHaveAttribute('aria-invalid', 'true');
  });

  it('disables and enables an account', async () => {
    const backend = await staffPage();
    await user.click(within(rowOf('cleo')).getByRole('button', { name: 'Disable cleo' }));
    expect(await within(rowOf('cleo')).findByRole('cell', { name: 'Disabled' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Disabled cleo. Their sessions have ended.');
    await user.click(within(rowOf('cleo')).getByRole('button', { name: 'Enable cleo' }));
    expect(await within(rowOf('cleo')).findByRole('cell', { name: 'Active' })).toBeInTheDocument();
    expect(userRequests(backend.sent)).toEqual([
      { method: 'PATCH', url: '/users/2', body: { disabled: true } },
      { method: 'PATCH', url: '/users/2', body: { disabled: false } },
    ]);
  });

  it('resets a password to a temporary one', async () => {
    const backend = await staffPage();
    await user.click(within(rowOf('cleo')).getByRole('button', { name: 'Reset password of cleo' }));
    const field = screen.getByLabelText('New temporary password for cleo');
    expect(field).toHaveFocus();
    await user.type(field, 'short{Enter}');
    expect(field).toHaveAccessibleDescription(/must be at least 12 characters/);
    await user.clear(field);
    await user.type(field, 'fresh temporary 2');
    await user.click(within(rowOf('cleo')).getByRole('button', { name: 'Reset password' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Reset the password of cleo. They must change it when they next sign in.',
    );
    expect(await within(rowOf('cleo')).findByRole('cell', { name: 'Must change at next sign-in' })).toBeInTheDocument();
    expect(within(rowOf('cleo')).getByRole('button', { name: 'Reset password of cleo' })).toHaveFocus();
    expect(userRequests(backend.sent)).toEqual([
      { method: 'PATCH', url: '/users/2', body: { password: 'fresh temporary 2' } },
    ]);
  });

  it("changes an account's role", async () => {
    const backend = await staffPage();
    await user.click(within(rowOf('remy')).getByRole('button', { name: 'Change role of remy' }));
    await user.selectOptions(screen.getByLabelText('New role for remy'), 'Clinician');
    await user.click(within(rowOf('remy')).getByRole('button', { name: 'Save role' }));
    expect(await within(rowOf('remy')).findByRole('cell', { name: 'Clinician' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Changed the role of remy to Clinician.');
    expect(userRequests(backend.sent)).toEqual([{ method: 'PATCH', url: '/users/3', body: { role: 'clinician' } }]);
  });

  it('closes a row form with Escape, sending nothing', async () => {
    const backend = await staffPage();
    await user.click(within(rowOf('remy')).getByRole('button', { name: 'Change role of remy' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('New role for remy')).not.toBeInTheDocument();
    expect(within(rowOf('remy')).getByRole('button', { name: 'Change role of remy' })).toHaveFocus();
    expect(userRequests(backend.sent)).toEqual([]);
  });

  it('shows why the server refused a change (409: no active admin left)', async () => {
    await staffPage();
    await user.click(within(rowOf('ada')).getByRole('button', { name: 'Disable ada' }));
    expect(await within(rowOf('ada')).findByRole('alert')).toHaveTextContent('This would leave no active admin.');
    expect(within(rowOf('ada')).getByRole('cell', { name: 'Active' })).toBeInTheDocument();
  });

  it('says when the list cannot be loaded', async () => {
    fakeBackend({ signedIn: 'cleo' }); // not an admin: 403
    render(<StaffAccounts />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not load the staff accounts. Your role does not allow this.',
    );
  });
});
