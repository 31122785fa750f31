import { describe, expect, it } from 'vitest';
import {
  envelope,
  errorResponse,
  jsonResponse,
  makeDeletedPatient,
  makeMatch,
  makePair,
  makePatient,
  stubFetch,
} from '../../testing/fakeApi';
import { createDeletedPatientService } from './deletedPatientService';
import { createDuplicateService, isWarning } from './duplicateService';
import { ApiError } from './errors';
import { createPatientService } from './patientService';

const candidate = {
  patientID: 'P100',
  name: 'Jon Smyth',
  age: 45,
  gender: 'Male' as const,
  medicalCondition: 'Asthma',
  lastVisit: '2024-05-02',
};

describe('the duplicate check before registering', () => {
  it('sends the whole form body to POST /patients/match and reads the matches, best first', async () => {
    const john = makePatient({ id: 7, name: 'John Smith' });
    const sent = stubFetch(() => jsonResponse([makeMatch(john, { score: 0.93 })]));
    const matches = await createDuplicateService({ baseUrl: '' }).match(candidate);
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([['POST', '/patients/match', candidate]]);
    expect(matches).toEqual([
      { patient: john, score: 0.93, grade: 'certain', reasons: ['same name', 'same age', 'same gender'] },
    ]);
  });

  it('reads odd matches defensively, and refuses an answer that is not a list', async () => {
    stubFetch(() => jsonResponse([{ patient: { id: 3, name: 'Ann' }, score: 'high', grade: 7, reasons: ['same age', 1] }]));
    const [odd] = await createDuplicateService({ baseUrl: '' }).match(candidate);
    expect(odd).toMatchObject({ score: 0, grade: '', reasons: ['same age'] });
    stubFetch(() => jsonResponse({ matches: [] }));
    await expect(createDuplicateService({ baseUrl: '' }).match(candidate)).rejects.toBeInstanceOf(ApiError);
  });

  it('warns of certain and probable matches only', () => {
    expect(['certain', 'probable', 'possible', 'surely'].map((grade) => isWarning({ grade }))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('names the matches registered anyway in X-Registered-Despite, and sends none otherwise', async () => {
    const sent = stubFetch(({ body }) => jsonResponse({ id: 41, ...(body as object) }, 201));
    const api = createPatientService({ baseUrl: '' });
    await api.create(candidate, [7, 12]);
    await api.create(candidate);
    expect(sent.map((r) => r.registeredDespite)).toEqual(['7,12', undefined]);
  });
});

describe('the pairs found', () => {
  it('asks for a page and reads the pairs and the pending count', async () => {
    const [a, b] = [makePatient({ id: 7 }), makePatient({ id: 12 })];
    const sent = stubFetch(() => jsonResponse(envelope([makePair(a, b)], 2, 3, 25), 200, { 'X-Duplicates-Pending': '4' }));
    const page = await createDuplicateService({ baseUrl: '' }).listPage(2, 10);
    expect(sent[0]?.url).toBe('/duplicates?_page=2&_per_page=10');
    expect(page).toMatchObject({ prev: 1, next: 3, pages: 3, items: 25, pending: 4 });
    expect(page.data).toEqual([makePair(a, b)]);
  });

  it('takes a missing or odd pending count for none', async () => {
    stubFetch(() => jsonResponse(envelope([], 1, 0, 0), 200, { 'X-Duplicates-Pending': 'lots' }));
    expect((await createDuplicateService({ baseUrl: '' }).listPage(1, 10)).pending).toBe(0);
    stubFetch(() => jsonResponse(envelope([], 1, 0, 0)));
    expect((await createDuplicateService({ baseUrl: '' }).listPage(1, 10)).pending).toBe(0);
  });

  it('marks a pair as two people, and merges with the chosen values only when there are some', async () => {
    const kept = makePatient({ id: 7 });
    const sent = stubFetch(({ url }) => (url.endsWith('not-duplicate') ? new Response(null, { status: 204 }) : jsonResponse(kept)));
    const api = createDuplicateService({ baseUrl: '' });
    await api.markDistinct(7, 12);
    expect(await api.merge(7, 12, { name: 'John Smith', age: 46 })).toEqual(kept);
    await api.merge(7, 12);
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['POST', '/duplicates/not-duplicate', { a: 7, b: 12 }],
      ['POST', '/duplicates/merge', { keep: 7, remove: 12, values: { name: 'John Smith', age: 46 } }],
      ['POST', '/duplicates/merge', { keep: 7, remove: 12 }],
    ]);
  });

  it("reads a refused merge in the server's words", async () => {
    stubFetch(() => errorResponse(403, 'Only an admin can merge patients.'));
    await expect(createDuplicateService({ baseUrl: '' }).merge(7, 12)).rejects.toMatchObject({
      status: 403,
      message: 'Only an admin can merge patients.',
    });
  });
});

describe('names like a search term', () => {
  it('asks GET /patients?name_similar=…&_limit=, and reads a plain list or a page', async () => {
    const john = makePatient({ name: 'John Smith' });
    const sent = stubFetch(() => jsonResponse([john]));
    const api = createPatientService({ baseUrl: '' });
    expect(await api.similarNames(' jon smyth & co ', 5)).toEqual([john]);
    expect(sent[0]?.url).toBe('/patients?name_similar=jon+smyth+%26+co&_limit=5');
    stubFetch(() => jsonResponse(envelope([john], 1, 1, 1)));
    expect(await api.similarNames('jon', 5)).toEqual([john]);
  });
});

describe('a merged deleted patient', () => {
  it('reads the pointer to the record kept, null for an ordinary delete', async () => {
    const merged = makeDeletedPatient({ id: 12, mergedInto: 7 });
    const plain = makeDeletedPatient({ id: 13 });
    const { mergedInto: _none, ...legacy } = makeDeletedPatient({ id: 14 });
    stubFetch(() => jsonResponse(envelope([merged, plain, legacy], 1, 1, 3)));
    const page = await createDeletedPatientService({ baseUrl: '' }).listPage(1, 20);
    expect(page.data.map((p) => p.mergedInto)).toEqual([7, null, null]);
  });
});
