import { useState } from 'react';
import { DataTable } from '../../components/DataTable';
import { Loaded } from '../../components/Loaded';
import { useRemote } from '../../hooks/useRemote';
import { staffService } from '../../lib/api/staffService';
import type { StaffAccount } from '../../lib/api/types';
import { roleLabel } from '../auth/roles';
import { CreateAccountForm } from './CreateAccountForm';
import { StaffRow } from './StaffRow';

const HEADERS = ['Username', 'Role', 'Status', 'Password'];

/** The admin's page of staff accounts: add one, and change, disable or reset the others. */
export function StaffAccounts() {
  const [revision, setRevision] = useState(0);
  const [notice, setNotice] = useState('');
  const remote = useRemote(`users:${revision}`, (signal) => staffService.list(signal));

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
      <Loaded remote={remote} what="the staff accounts" loadingText="Loading staff accounts…">
        {(accounts) => (
          <DataTable
            className="data-table staff-table"
            labelledBy="staff-list-title"
            busy={remote.loading}
            headers={HEADERS}
            actions
          >
            {accounts.map((account) => (
              <StaffRow key={String(account.id)} account={account} onChanged={changed} />
            ))}
          </DataTable>
        )}
      </Loaded>
    </div>
  );
}
