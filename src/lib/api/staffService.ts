/** Staff accounts (admins only): GET /users, POST /users, PATCH /users/{id}. */
import { createHttp, isRecord, unreadable, type HttpOptions } from './http';
import type { NewStaffAccount, StaffAccount, StaffAccountPatch } from './types';

export function parseStaffAccount(value: unknown): StaffAccount {
  if (
    !isRecord(value) ||
    (typeof value.id !== 'string' && typeof value.id !== 'number') ||
    typeof value.username !== 'string' ||
    typeof value.role !== 'string'
  ) {
    throw unreadable();
  }
  return {
    id: value.id,
    username: value.username,
    role: value.role,
    disabled: value.disabled === true,
    mustChangePassword: value.mustChangePassword === true,
    createdAt: typeof value.createdAt === 'string' ? value.createdAt : '',
  };
}

function parseStaffAccounts(value: unknown): StaffAccount[] {
  if (!Array.isArray(value)) throw unreadable();
  return value.map(parseStaffAccount);
}

const accountPath = (id: StaffAccount['id']) => `/users/${encodeURIComponent(String(id))}`;

export function createStaffService(options: HttpOptions = {}) {
  const { json } = createHttp(options);

  return {
    async list(signal?: AbortSignal): Promise<StaffAccount[]> {
      return parseStaffAccounts(await json('GET', '/users', { signal }));
    },

    /** 409 when the username is taken (ignoring case), 400 with field errors for a weak password. */
    async create(account: NewStaffAccount): Promise<StaffAccount> {
      return parseStaffAccount(await json('POST', '/users', { body: account }));
    },

    /** 409 when the change would leave no active admin. */
    async update(id: StaffAccount['id'], patch: StaffAccountPatch): Promise<StaffAccount> {
      return parseStaffAccount(await json('PATCH', accountPath(id), { body: patch }));
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;

export const staffService = createStaffService();
