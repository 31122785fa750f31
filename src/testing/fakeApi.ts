/**
 * Unit-test stand-in for the network: a stubbed global fetch that records each request
 * and answers from a handler. (Browser tests in e2e/ use real servers instead.)
 */
import { vi } from 'vitest';
import type { DeletedPatient, DuplicatePair, Page, Patient, PatientMatch } from '../lib/api/types';

export interface SentRequest {
  method: string;
  url: string;
  body: unknown;
  /** The If-Match header, when sent. */
  ifMatch?: string;
  /** The X-Registered-Despite header, when sent. */
  registeredDespite?: string;
}

type Handler = (request: SentRequest) => Response | Promise<Response>;

export function stubFetch(handler: Handler): SentRequest[] {
  const sent: SentRequest[] = [];
  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const headers = new Headers(init?.headers);
    const ifMatch = headers.get('If-Match') ?? undefined;
    const registeredDespite = headers.get('X-Registered-Despite') ?? undefined;
    const request = {
      method: init?.method ?? 'GET',
      url: String(input),
      body,
      ...(ifMatch ? { ifMatch } : {}),
      ...(registeredDespite ? { registeredDespite } : {}),
    };
    sent.push(request);
    return handler(request);
  });
  vi.stubGlobal('fetch', fake);
  return sent;
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

let nextId = 1;

export function makePatient(overrides: Partial<Patient> = {}): Patient {
  const id = nextId++;
  return {
    id,
    patientID: `P${String(id).padStart(3, '0')}`,
    name: `Patient ${id}`,
    age: 40,
    gender: 'Female',
    medicalCondition: 'Asthma',
    lastVisit: '2024-03-01',
    ...overrides,
  };
}

/** The json-server 1.0.0-beta.3 `_page` envelope around `data`. */
export function envelope<T>(data: T[], page: number, pages: number, items: number): Page<T> {
  return {
    first: 1,
    prev: page > 1 ? page - 1 : null,
    next: page < pages ? page + 1 : null,
    last: pages,
    pages,
    items,
    data,
  };
}

/** Query parameters of a recorded request, for readable assertions. */
export function paramsOf(request: SentRequest | undefined): Record<string, string> {
  if (!request) throw new Error('no such request was sent');
  return Object.fromEntries(new URL(request.url, 'http://app.test').searchParams);
}

/** The page `_page` and `_per_page` (default 10, as the server's) ask for, in its envelope. */
export function pageFrom<T>(all: T[], request: SentRequest): Page<T> {
  const params = paramsOf(request);
  const perPage = Number(params._per_page ?? 10);
  const pages = Math.ceil(all.length / perPage);
  const page = Math.max(1, Math.min(Number(params._page ?? 1), pages));
  return envelope(all.slice((page - 1) * perPage, page * perPage), page, pages, all.length);
}

/** One version as GET /patients/{id}/history sends it. */
export interface WireHistoryEntry {
  version: number;
  at: string;
  userId: number | null;
  username: string | null;
  action: string;
  changes: Record<string, { from: string | number | null; to: string | number | null }>;
}

/** One event as GET /audit sends it. */
export interface WireAuditEvent {
  id: number;
  at: string;
  userId: number | null;
  username: string | null;
  role: string | null;
  client: string;
  requestId: string;
  action: string;
  outcome: number;
  patientIds: number[] | null;
  rowCount: number | null;
  bulk: boolean;
  query: string | null;
  detail: Record<string, unknown> | null;
}

let nextEventId = 1;

export function makeAuditEvent(overrides: Partial<WireAuditEvent> = {}): WireAuditEvent {
  const id = nextEventId++;
  return {
    id,
    at: '2026-12-02T14:00:00.123456Z',
    userId: 1,
    username: 'ada',
    role: 'admin',
    client: '127.0.0.1',
    requestId: `req-${id}`,
    action: 'read',
    outcome: 200,
    patientIds: [1],
    rowCount: 1,
    bulk: false,
    query: null,
    detail: null,
    ...overrides,
  };
}

export function makeDeletedPatient(overrides: Partial<DeletedPatient> = {}): DeletedPatient {
  return {
    ...makePatient(),
    deletedAt: '2026-12-01T09:30:00Z',
    deletedBy: 'cleo',
    deleteReason: null,
    mergedInto: null,
    ...overrides,
  };
}

/** One answer of POST /patients/match. */
export function makeMatch(patient: Patient, overrides: Partial<PatientMatch> = {}): PatientMatch {
  return { patient, score: 0.93, grade: 'certain', reasons: ['same name', 'same age', 'same gender'], ...overrides };
}

/** One pair of GET /duplicates (`a` has the lower id). */
export function makePair(a: Patient, b: Patient, overrides: Partial<DuplicatePair> = {}): DuplicatePair {
  return { a, b, score: 0.9, grade: 'certain', reasons: ['name spelled similarly', 'same age', 'same gender'], ...overrides };
}

/** Edits (insert, delete, replace) between two texts: the fake's idea of "a similar name". */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, replace));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** `{"detail", "errors"?}`, the one error shape of our API. */
export function errorResponse(
  status: number,
  detail: string,
  errors?: { field: string; message: string }[],
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(errors ? { detail, errors } : { detail }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** "METHOD /path" (`:name` matches one path segment) → the answer. */
export type Routes = Record<string, Handler>;

export function pathOf(request: SentRequest): string {
  return new URL(request.url, 'http://app.test').pathname;
}

/** A handler that answers from `routes` first, then from `fallback` (else a 404). */
export function route(routes: Routes, fallback?: Handler): Handler {
  return (request) => {
    const path = pathOf(request);
    for (const [key, handler] of Object.entries(routes)) {
      const [method, pattern = ''] = key.split(' ');
      const regex = new RegExp(`^${pattern.replace(/:[^/]+/g, '[^/]+')}$`);
      if (method === request.method && regex.test(path)) return handler(request);
    }
    if (fallback) return fallback(request);
    return errorResponse(404, `No fake route for ${request.method} ${path}.`);
  };
}

export interface FakeAccount {
  id: number;
  username: string;
  password: string;
  role: string;
  disabled?: boolean;
  mustChangePassword?: boolean;
}

export interface FakeBackendOptions {
  accounts?: FakeAccount[];
  /** The username with a session when the page loads (none: the page starts signed out). */
  signedIn?: string;
  idleTimeoutSeconds?: number;
  patients?: Patient[];
  /** Each patient's versions by record id, newest first. */
  history?: Record<string, WireHistoryEntry[]>;
  /** The audit trail, newest first. */
  audit?: WireAuditEvent[];
  deleted?: DeletedPatient[];
  /** What POST /patients/match answers, whatever the candidate (none by default). */
  matches?: PatientMatch[];
  /** The pairs GET /duplicates lists, and its X-Duplicates-Pending. */
  duplicates?: DuplicatePair[];
  pending?: number;
  /** Answers that take precedence over the fake's own. */
  routes?: Routes;
}

export interface FakeBackend {
  sent: SentRequest[];
  accounts: FakeAccount[];
  patients: Patient[];
  deleted: DeletedPatient[];
  duplicates: DuplicatePair[];
  /** The signed-in username, or null; set it to null to end the session "elsewhere". */
  session: { username: string | null };
  /** Another member of staff saves a change to a patient: its version (ETag) moves on. */
  editElsewhere: (id: Patient['id'], patch: Partial<Patient>) => void;
}

export const PASSWORDS = {
  admin: 'admin password 1',
  clinician: 'clinician password 1',
  receptionist: 'receptionist password 1',
} as const;

export function defaultAccounts(): FakeAccount[] {
  return [
    { id: 1, username: 'ada', password: PASSWORDS.admin, role: 'admin' },
    { id: 2, username: 'cleo', password: PASSWORDS.clinician, role: 'clinician' },
    { id: 3, username: 'remy', password: PASSWORDS.receptionist, role: 'receptionist' },
  ];
}

/**
 * A stand-in for the back end's auth, patient and staff routes with a session, answering
 * as the contract says (401 without a session, 403 for a receptionist's medical condition,
 * the receptionist's patients without it). Records every request, like stubFetch.
 */
export function fakeBackend(options: FakeBackendOptions = {}): FakeBackend {
  const accounts = options.accounts ?? defaultAccounts();
  const patients = options.patients ?? [];
  const deleted = options.deleted ?? [];
  const duplicates = options.duplicates ?? [];
  const history = options.history ?? {};
  const audit = options.audit ?? [];
  const session = { username: options.signedIn ?? null };
  const idleTimeoutSeconds = options.idleTimeoutSeconds ?? 900;
  let nextAccountId = Math.max(0, ...accounts.map((a) => a.id)) + 1;
  // Each patient's version, as our API keeps it: 1 until changed. Answered as the ETag.
  const versions = new Map<string, number>();
  const etagOf = (p: Patient) => `"${versions.get(String(p.id)) ?? 1}"`;
  const bump = (p: Patient) => versions.set(String(p.id), (versions.get(String(p.id)) ?? 1) + 1);
  const STALE = () => errorResponse(412, 'The patient was changed by someone else since you read it; reload it and try again.');
  const stale = (request: SentRequest, p: Patient) => request.ifMatch !== undefined && request.ifMatch !== etagOf(p);

  const current = () => accounts.find((a) => a.username === session.username && !a.disabled);
  const userBody = (a: FakeAccount) => ({
    username: a.username,
    role: a.role,
    mustChangePassword: a.mustChangePassword === true,
  });
  const accountBody = (a: FakeAccount) => ({
    ...userBody(a),
    id: a.id,
    disabled: a.disabled === true,
    createdAt: '2025-01-02T03:04:05Z',
  });
  const NO_SESSION = () => errorResponse(401, 'Sign in first.');
  const CHANGE_FIRST = () => errorResponse(403, 'Change your password before going on.');
  const idOf = (request: SentRequest) => decodeURIComponent(pathOf(request).split('/')[2] ?? '');
  const asSeenBy = (role: string) => (p: Patient) => {
    if (role !== 'receptionist') return p;
    const { medicalCondition: _hidden, ...rest } = p;
    return rest;
  };

  /** The signed-in account allowed past the forced password change, or the refusal. */
  function allowed(roles?: string[]): FakeAccount | Response {
    const user = current();
    if (!user) return NO_SESSION();
    if (user.mustChangePassword) return CHANGE_FIRST();
    if (roles && !roles.includes(user.role)) return errorResponse(403, 'Your role does not allow this.');
    return user;
  }

  const own: Routes = {
    'POST /auth/login': ({ body }) => {
      const { username, password } = body as { username: string; password: string };
      const account = accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
      if (!account || account.password !== password || account.disabled) {
        return errorResponse(401, 'Wrong username or password.');
      }
      session.username = account.username;
      return jsonResponse(userBody(account));
    },
    'POST /auth/logout': () => {
      session.username = null;
      return new Response(null, { status: 204 });
    },
    'GET /auth/me': () => {
      const user = current();
      return user ? jsonResponse({ ...userBody(user), idleTimeoutSeconds }) : NO_SESSION();
    },
    'POST /auth/password': ({ body }) => {
      const user = current();
      if (!user) return NO_SESSION();
      const { currentPassword, newPassword } = body as { currentPassword: string; newPassword: string };
      if (currentPassword !== user.password) {
        return errorResponse(400, 'The password was not changed.', [
          { field: 'currentPassword', message: 'is not your current password' },
        ]);
      }
      if (newPassword === 'password1234') {
        return errorResponse(400, 'The password was not changed.', [
          { field: 'newPassword', message: 'is too common' },
        ]);
      }
      user.password = newPassword;
      user.mustChangePassword = false;
      return new Response(null, { status: 204 });
    },
    'GET /patients': (request) => {
      const user = allowed();
      if (user instanceof Response) return user;
      const params = new URL(request.url, 'http://app.test').searchParams;
      const wanted = params.get('patientID');
      const shown = patients.map(asSeenBy(user.role)) as Patient[];
      if (wanted !== null) {
        return jsonResponse(shown.filter((p) => p.patientID.toLowerCase() === wanted.toLowerCase()));
      }
      const similar = params.get('name_similar')?.toLowerCase();
      if (similar !== undefined) {
        const near = shown
          .map((p) => ({ p, edits: editDistance(p.name.toLowerCase(), similar) }))
          .filter(({ edits }) => edits <= 3)
          .sort((x, y) => x.edits - y.edits);
        return jsonResponse(near.slice(0, Number(params.get('_limit') ?? 10)).map(({ p }) => p));
      }
      const q = params.get('q')?.toLowerCase();
      const found = q ? shown.filter((p) => p.name.toLowerCase().includes(q)) : shown;
      return jsonResponse(envelope(found, 1, found.length > 0 ? 1 : 0, found.length));
    },
    'POST /patients': ({ body }) => {
      const user = allowed();
      if (user instanceof Response) return user;
      const input = body as Omit<Patient, 'id' | 'medicalCondition'> & { medicalCondition?: string };
      if (user.role === 'receptionist' && 'medicalCondition' in input) {
        return errorResponse(403, 'Your role does not allow the medical condition.');
      }
      const created: Patient = { ...input, medicalCondition: input.medicalCondition ?? 'Not recorded', id: 1000 + patients.length };
      patients.push(created);
      return jsonResponse(asSeenBy(user.role)(created), 201);
    },
    'PATCH /patients/:id': (request) => {
      const user = allowed();
      if (user instanceof Response) return user;
      const patch = request.body as Partial<Patient>;
      if (user.role === 'receptionist' && 'medicalCondition' in patch) {
        return errorResponse(403, 'Your role does not allow the medical condition.');
      }
      const index = patients.findIndex((p) => String(p.id) === idOf(request));
      if (index < 0) return errorResponse(404, 'No such patient.');
      if (stale(request, patients[index] as Patient)) return STALE();
      const updated = { ...(patients[index] as Patient), ...patch };
      patients[index] = updated;
      bump(updated);
      return jsonResponse(asSeenBy(user.role)(updated), 200, { ETag: etagOf(updated) });
    },
    'GET /patients/:id': (request) => {
      const user = allowed();
      if (user instanceof Response) return user;
      const patient = patients.find((p) => String(p.id) === idOf(request));
      if (!patient) return errorResponse(404, 'No such patient.');
      return jsonResponse(asSeenBy(user.role)(patient), 200, { ETag: etagOf(patient) });
    },
    'GET /patients/:id/history': (request) => {
      const user = allowed(['admin', 'clinician']);
      return user instanceof Response ? user : jsonResponse(history[idOf(request)] ?? []);
    },
    'DELETE /patients/:id': (request) => {
      const user = allowed(['admin', 'clinician']);
      if (user instanceof Response) return user;
      const index = patients.findIndex((p) => String(p.id) === idOf(request));
      if (index >= 0 && stale(request, patients[index] as Patient)) return STALE();
      const [gone] = patients.splice(index, 1);
      const reason = (request.body as { reason?: string } | undefined)?.reason ?? null;
      if (gone) deleted.unshift({ ...gone, deletedAt: '2026-12-02T15:00:00Z', deletedBy: user.username, deleteReason: reason, mergedInto: null });
      return jsonResponse(gone);
    },
    'GET /audit': (request) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const { patientId, username, action } = paramsOf(request);
      const found = audit.filter(
        (event) =>
          (!patientId || event.bulk || event.patientIds?.includes(Number(patientId))) &&
          (!username || event.username === username) &&
          (!action || event.action === action),
      );
      return jsonResponse(pageFrom(found, request));
    },
    'GET /deleted-patients': (request) => {
      const user = allowed(['admin']);
      return user instanceof Response ? user : jsonResponse(pageFrom(deleted, request));
    },
    'POST /deleted-patients/:id/restore': (request) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const index = deleted.findIndex((p) => String(p.id) === idOf(request));
      if (index < 0) return errorResponse(404, 'No such deleted patient.');
      const { deletedAt: _at, deletedBy: _by, deleteReason: _why, mergedInto: _into, ...patient } = deleted[index] as DeletedPatient;
      if (patients.some((p) => p.patientID.toLowerCase() === patient.patientID.toLowerCase())) {
        return errorResponse(409, `patientID ${patient.patientID} now belongs to another patient; change that one first.`);
      }
      deleted.splice(index, 1);
      patients.push(patient);
      return jsonResponse(patient);
    },
    'DELETE /deleted-patients/:id': (request) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const reason = (request.body as { reason?: string } | undefined)?.reason ?? '';
      if (!reason.trim()) return errorResponse(400, 'Give the reason for purging.', [{ field: 'reason', message: 'is required' }]);
      const index = deleted.findIndex((p) => String(p.id) === idOf(request));
      if (index < 0) return errorResponse(404, 'No such deleted patient.');
      deleted.splice(index, 1);
      return new Response(null, { status: 204 });
    },
    'POST /patients/match': () => {
      const user = allowed();
      if (user instanceof Response) return user;
      const seen = asSeenBy(user.role);
      return jsonResponse((options.matches ?? []).map((match) => ({ ...match, patient: seen(match.patient) })));
    },
    'GET /duplicates': (request) => {
      const user = allowed(['admin', 'clinician']);
      if (user instanceof Response) return user;
      return jsonResponse(pageFrom(duplicates, request), 200, { 'X-Duplicates-Pending': String(options.pending ?? 0) });
    },
    'POST /duplicates/not-duplicate': ({ body }) => {
      const user = allowed(['admin', 'clinician']);
      if (user instanceof Response) return user;
      const { a, b } = body as { a: Patient['id']; b: Patient['id'] };
      const index = duplicates.findIndex((pair) => pair.a.id === a && pair.b.id === b);
      if (index < 0) return errorResponse(404, 'No such patient.');
      duplicates.splice(index, 1);
      return new Response(null, { status: 204 });
    },
    'POST /duplicates/merge': ({ body }) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const { keep, remove, values } = body as { keep: Patient['id']; remove: Patient['id']; values?: Partial<Patient> };
      const kept = patients.findIndex((p) => p.id === keep);
      const removed = patients.findIndex((p) => p.id === remove);
      if (kept < 0 || removed < 0) return errorResponse(404, 'No such patient.');
      const merged = { ...(patients[kept] as Patient), ...values };
      patients[kept] = merged;
      const [gone] = patients.splice(removed, 1);
      if (gone) {
        const reason = `Merged into patient ${String(keep)}`;
        deleted.unshift({ ...gone, deletedAt: '2026-12-02T15:00:00Z', deletedBy: user.username, deleteReason: reason, mergedInto: keep });
      }
      for (let i = duplicates.length - 1; i >= 0; i--) {
        const pair = duplicates[i] as DuplicatePair;
        if (pair.a.id === remove || pair.b.id === remove) duplicates.splice(i, 1);
      }
      return jsonResponse(merged);
    },
    'GET /users': () => {
      const user = allowed(['admin']);
      return user instanceof Response ? user : jsonResponse(accounts.map(accountBody));
    },
    'POST /users': ({ body }) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const { username, role, password } = body as { username: string; role: string; password: string };
      if (accounts.some((a) => a.username.toLowerCase() === username.toLowerCase())) {
        return errorResponse(409, 'That username is taken.');
      }
      if (password === 'password1234') {
        return errorResponse(400, 'The account was not created.', [{ field: 'password', message: 'is too common' }]);
      }
      const account = { id: nextAccountId++, username, role, password, mustChangePassword: true };
      accounts.push(account);
      return jsonResponse(accountBody(account), 201);
    },
    'PATCH /users/:id': (request) => {
      const user = allowed(['admin']);
      if (user instanceof Response) return user;
      const account = accounts.find((a) => String(a.id) === idOf(request));
      if (!account) return errorResponse(404, 'No such account.');
      const patch = request.body as { role?: string; disabled?: boolean; password?: string };
      const next = { ...account, ...patch };
      const activeAdmins = accounts.map((a) => (a === account ? next : a)).filter((a) => a.role === 'admin' && !a.disabled);
      if (activeAdmins.length === 0) {
        return errorResponse(409, 'This would leave no active admin.');
      }
      if (patch.role !== undefined) account.role = patch.role;
      if (patch.disabled !== undefined) account.disabled = patch.disabled;
      if (patch.password !== undefined) {
        account.password = patch.password;
        account.mustChangePassword = true;
      }
      return jsonResponse(accountBody(account));
    },
  };

  function editElsewhere(id: Patient['id'], patch: Partial<Patient>) {
    const index = patients.findIndex((p) => String(p.id) === String(id));
    const edited = { ...(patients[index] as Patient), ...patch };
    patients[index] = edited;
    bump(edited);
  }

  const sent = stubFetch(route(options.routes ?? {}, route(own)));
  return { sent, accounts, patients, deleted, duplicates, session, editElsewhere };
}

/** The requests other than the session's own (/auth/...), for "what did the page send". */
export const dataRequests = (sent: SentRequest[]) => sent.filter((r) => !pathOf(r).startsWith('/auth/'));
