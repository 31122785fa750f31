/**
 * Unit-test stand-in for the network: a stubbed global fetch that records each request
 * and answers from a handler. (Browser tests in e2e/ use real servers instead.)
 */
import { vi } from 'vitest';
import type { Patient, PatientPage } from '../lib/api/types';

export interface SentRequest {
  method: string;
  url: string;
  body: unknown;
}

type Handler = (request: SentRequest) => Response | Promise<Response>;

export function stubFetch(handler: Handler): SentRequest[] {
  const sent: SentRequest[] = [];
  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const request = { method: init?.method ?? 'GET', url: String(input), body };
    sent.push(request);
    return handler(request);
  });
  vi.stubGlobal('fetch', fake);
  return sent;
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
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
export function envelope(data: Patient[], page: number, pages: number, items: number): PatientPage {
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
