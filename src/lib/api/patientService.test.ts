import { describe, expect, it } from 'vitest';
import { envelope, jsonResponse, makePatient, stubFetch } from '../../testing/fakeApi';
import { ApiError, NETWORK_ERROR_MESSAGE } from './errors';
import { createPatientService, pageQueryString, parsePage } from './patientService';

const input = {
  patientID: 'P100',
  name: 'Ada Lovelace',
  age: 36,
  gender: 'Female' as const,
  medicalCondition: 'Migraine',
  lastVisit: '2024-05-02',
};

describe('request URLs', () => {
  it('asks for a page with _page and _per_page', async () => {
    const sent = stubFetch(() => jsonResponse(envelope([], 1, 0, 0)));
    await createPatientService({ baseUrl: '' }).listPage({ page: 2, perPage: 20 });
    expect(sent[0]).toMatchObject({ method: 'GET', url: '/patients?_page=2&_per_page=20' });
  });

  it('sorts with _sort=field, and _sort=-field for descending', () => {
    expect(pageQueryString({ page: 1, perPage: 20, sort: { field: 'name', direction: 'ascending' } })).toBe(
      '_page=1&_per_page=20&_sort=name',
    );
    expect(
      pageQueryString({ page: 1, perPage: 20, sort: { field: 'lastVisit', direction: 'descending' } }),
    ).toBe('_page=1&_per_page=20&_sort=-lastVisit');
  });

  it('searches with q, trimmed and encoded, and leaves it out when blank', () => {
    expect(pageQueryString({ page: 1, perPage: 5, search: '  type 2 & co ' })).toBe(
      '_page=1&_per_page=5&q=type+2+%26+co',
    );
    expect(pageQueryString({ page: 1, perPage: 5, search: '   ' })).toBe('_page=1&_per_page=5');
  });

  it('finds by patient ID with an equality filter, never by loading everything', async () => {
    const sent = stubFetch(() => jsonResponse([]));
    await createPatientService({ baseUrl: '' }).findByPatientId('p 0/3&x');
    expect(sent[0]?.url).toBe('/patients?patientID=p+0%2F3%26x');
  });

  it('prefixes the base URL without doubling slashes', async () => {
    const sent = stubFetch(() => jsonResponse([]));
    await createPatientService({ baseUrl: 'https://api.example.org/' }).findByPatientId('P1');
    expect(sent[0]?.url).toBe('https://api.example.org/patients?patientID=P1');
  });

  it('uses each route with its method and body', async () => {
    const created = { id: 7, ...input };
    const sent = stubFetch(({ method }) =>
      method === 'POST' ? jsonResponse(created, 201) : jsonResponse(created),
    );
    const api = createPatientService({ baseUrl: '' });
    await api.create(input);
    await api.get(7);
    await api.update('3e3a', { age: 37 });
    await api.remove(7);
    expect(sent.map(({ method, url, body }) => [method, url, body])).toEqual([
      ['POST', '/patients', input],
      ['GET', '/patients/7', undefined],
      ['PATCH', '/patients/3e3a', { age: 37 }],
      ['DELETE', '/patients/7', undefined],
    ]);
  });

  it("reads a record's ETag, and sends it back as If-Match with a change or a delete", async () => {
    const sent = stubFetch(({ method }) => jsonResponse({ id: 7, ...input }, 200, { ETag: method === 'GET' ? '"3"' : '"4"' }));
    const api = createPatientService({ baseUrl: '' });
    expect(await api.get(7)).toEqual({ patient: { id: 7, ...input }, etag: '"3"' });
    expect(await api.update(7, { age: 37 }, '"3"')).toMatchObject({ etag: '"4"' });
    await api.remove(7, 'Moved away', '"4"');
    await api.remove(7);
    expect(sent.map(({ method, ifMatch }) => [method, ifMatch])).toEqual([
      ['GET', undefined],
      ['PATCH', '"3"'],
      ['DELETE', '"4"'],
      ['DELETE', undefined],
    ]);
  });
});

describe('reading answers', () => {
  it('reads the _page envelope', async () => {
    const patients = [makePatient(), makePatient()];
    stubFetch(() => jsonResponse(envelope(patients, 2, 3, 45)));
    const page = await createPatientService({ baseUrl: '' }).listPage({ page: 2, perPage: 2 });
    expect(page).toMatchObject({ prev: 1, next: 3, pages: 3, items: 45 });
    expect(page.data).toEqual(patients);
  });

  it('keeps string ids from json-server as strings', async () => {
    stubFetch(() => jsonResponse([{ id: '3e3a', ...input }]));
    const [found] = await createPatientService({ baseUrl: '' }).findByPatientId('P100');
    expect(found?.id).toBe('3e3a');
  });

  it('treats a plain array (a server without paging) as a single page', () => {
    const patients = [makePatient()];
    expect(parsePage(patients)).toMatchObject({ pages: 1, items: 1, prev: null, next: null, data: patients });
  });

  it('tolerates odd legacy records', () => {
    const page = parsePage([{ id: 'ab12', patientID: 'X', age: '41' }]);
    expect(page.data[0]).toEqual({
      id: 'ab12',
      patientID: 'X',
      name: '',
      age: 41,
      gender: '',
      medicalCondition: '',
      lastVisit: '',
    });
  });

  it('refuses an answer that is not patients', () => {
    expect(() => parsePage({ hello: 'world' })).toThrow(ApiError);
  });
});

describe('errors', () => {
  async function failure(response: () => Response | Promise<Response>): Promise<ApiError> {
    stubFetch(response);
    const error = await createPatientService({ baseUrl: '' })
      .create(input)
      .catch((caught: unknown) => caught);
    if (!(error instanceof ApiError)) throw new Error('expected an ApiError');
    return error;
  }

  it('maps our 400 field errors by wire name', async () => {
    const error = await failure(() =>
      jsonResponse(
        {
          detail: 'Some fields are invalid.',
          errors: [
            { field: 'age', message: 'must be between 1 and 150' },
            { field: 'body.lastVisit', message: 'Last visit cannot be in the future.' },
            { field: 'somethingElse', message: 'ignored' },
          ],
        },
        400,
      ),
    );
    expect(error.status).toBe(400);
    expect(error.message).toBe('Some fields are invalid.');
    expect(error.fieldErrors).toEqual({
      age: 'Age must be between 1 and 150.',
      lastVisit: 'Last visit cannot be in the future.',
    });
  });

  it('maps a 409 to the patient ID field, as a sentence naming the field', async () => {
    const error = await failure(() =>
      jsonResponse(
        {
          detail: 'A patient with this patient ID already exists.',
          errors: [{ field: 'patientID', message: 'is already used by another patient' }],
        },
        409,
      ),
    );
    expect(error.fieldErrors).toEqual({
      patientID: 'Patient ID is already used by another patient.',
    });
  });

  it('maps a 409 without field errors to the patient ID field too', async () => {
    const error = await failure(() => new Response('Conflict', { status: 409 }));
    expect(error.fieldErrors.patientID).toBe('A patient with this patient ID already exists.');
  });

  it('gives a plain message for json-server style bodies', async () => {
    const error = await failure(() => new Response('Not Found', { status: 404 }));
    expect(error.message).toBe('That patient was not found. It may have been deleted.');
    expect(error.fieldErrors).toEqual({});
  });

  it("ignores FastAPI's list-valued detail", async () => {
    const error = await failure(() => jsonResponse({ detail: [{ loc: ['body'], msg: 'x' }] }, 400));
    expect(error.message).toBe('Some entries were not accepted. Please check them and try again.');
  });

  it('explains a 503 when the body says nothing', async () => {
    const error = await failure(() => new Response('', { status: 503 }));
    expect(error.message).toMatch(/database is unavailable/);
  });

  it('reports an unreachable server as status 0', async () => {
    const error = await failure(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(error).toMatchObject({ status: 0, message: NETWORK_ERROR_MESSAGE });
  });

  it('reports a 2xx answer that is not JSON', async () => {
    const error = await failure(() => new Response('<html>', { status: 201 }));
    expect(error.message).toBe('The server sent an answer this page cannot read.');
  });

  it('lets a cancelled request stay a cancellation', async () => {
    stubFetch(() => Promise.reject(new DOMException('aborted', 'AbortError')));
    await expect(createPatientService({ baseUrl: '' }).findByPatientId('P1')).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
