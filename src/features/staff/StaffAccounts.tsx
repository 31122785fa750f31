import { useState } from 'react';
import { useRemote } from '../../hooks/useRemote';
import { staffService } from '../../lib/api/staffService';
import type { StaffAccount } from '../../lib/api/types';
import { roleLabel } from '../auth/roles';
import { CreateAccountForm } from './CreateAccountForm';
import { StaffRow } from './StaffRow';

/** The admin's page of staff accounts: add one, and change, disable or reset the others. */
export function StaffAccounts() {
  const [revision, setRevision] = useState(0);
  const [notice, setNotice] = useState('');
  const { loading, data, error } = useRemote(`users:${revision}`, (signal) => staffService.list(signal));

  function changed(text: string) {
    setNotice(text);
    setRevision((n) => n + 1);
  }

  function created(account: StaffAccount) {
    changed(
      `Created the ${roleLabel(account.role).toLowerCase()} account ${account.username}. ` +
        'They must change the temporary password at first sign-in.',
    );
  }

  return (
    <div className="staff">
      <p role="status" className={notice ? 'message message--success' : 'message-slot'}>
        {notice}
      </p>
      <CreateAccountForm onCreated={created} />
      <h3 className="staff__title" id="staff-list-title">
        Accounts
      </h3>
      {error ? (
        <div role="alert" className="message message--error">
          <p>Could not load the staff accounts. {error.message}</p>
          <button type="button" className="button" onClick={() => setRevision((n) => n + 1)}>
            Try again
          </button>
        </div>
      ) : !data ? (
        <p className="muted">Loading staff accounts…</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table staff-table" aria-labelledby="staff-list-title" aria-busy={loading || undefined}>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Password</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((account) => (
                <StaffRow key={String(account.id)} account={account} onChanged={changed} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
