import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { POSTGRES_URL, bearer, machineToken, newUser, userJson, userToken } from '../helpers/user-fixtures.js';
import { pageWindow } from '../../src/presenters/length-aware-paginator.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const BASE = 'http://localhost:8000';

describe.each(databases)('GET /api/users on %s', (database) => {
  let t: TestApp;
  let reader: string;
  const ids: number[] = [];
  beforeAll(async () => {
    t = await createTestApp({ database });
    for (const name of ['Alice Smith', 'Bob Jones', 'alice cooper', 'ALICE Wonder', 'Malice Aforethought', 'Percent 100% Sure']) {
      ids.push((await newUser(t, name)).id);
    }
    const owner = await newUser(t, 'Search Owner');
    reader = await userToken(t, owner.id, ['users:read']);
  });
  afterAll(() => t.close());

  const search = (url: string, headers: Record<string, string> = bearer(reader)) => t.app.inject({ method: 'GET', url, headers });

  it('finds names containing the text, in any case, as a Laravel paginated resource', async () => {
    const res = await search('/api/users?name=alice');
    expect(res.statusCode).toBe(200);
    const page = `${BASE}/api/users?name=alice&page=1`;
    expect(res.json()).toStrictEqual({
      data: [
        { ...userJson('Alice Smith', 'alice.smith@example.com'), id: ids[0] },
        { ...userJson('alice cooper', 'alice.cooper@example.com'), id: ids[2] },
        { ...userJson('ALICE Wonder', 'alice.wonder@example.com'), id: ids[3] },
        { ...userJson('Malice Aforethought', 'malice.aforethought@example.com'), id: ids[4] },
      ],
      links: { first: page, last: page, prev: null, next: null },
      meta: {
        current_page: 1,
        from: 1,
        last_page: 1,
        links: [
          { url: null, label: '&laquo; Previous', active: false },
          { url: page, label: '1', active: true },
          { url: null, label: 'Next &raquo;', active: false },
        ],
        path: `${BASE}/api/users`,
        per_page: 15,
        to: 4,
        total: 4,
      },
    });
  });

  it('pages with page and per_page, keeping the search in every link', async () => {
    const res = await search('/api/users?name=ALICE&per_page=3&page=2');
    const url = (n: number) => `${BASE}/api/users?name=ALICE&per_page=3&page=${n}`;
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((u: { id: number }) => u.id)).toEqual([ids[4]]);
    expect(body.links).toStrictEqual({ first: url(1), last: url(2), prev: url(1), next: null });
    expect(body.meta).toStrictEqual({
      current_page: 2,
      from: 4,
      last_page: 2,
      links: [
        { url: url(1), label: '&laquo; Previous', active: false },
        { url: url(1), label: '1', active: false },
        { url: url(2), label: '2', active: true },
        { url: null, label: 'Next &raquo;', active: false },
      ],
      path: `${BASE}/api/users`,
      per_page: 3,
      to: 4,
      total: 4,
    });
  });

  it('answers a page past the end with no data and null from/to', async () => {
    const res = await search('/api/users?name=alice&page=5');
    expect(res.json()).toMatchObject({
      data: [],
      links: { prev: `${BASE}/api/users?name=alice&page=4`, next: null },
      meta: { current_page: 5, from: null, to: null, last_page: 1, total: 4 },
    });
  });

  it('reads name from a JSON body on GET, as the reference sends it', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { ...bearer(reader), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'bob' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toStrictEqual([{ ...userJson('Bob Jones', 'bob.jones@example.com'), id: ids[1] }]);
  });

  it('answers malformed JSON on GET with 400', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/users?name=bob',
      headers: { ...bearer(reader), 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toStrictEqual({ message: 'The request body is not valid JSON.', status: 400 });
  });

  it('matches LIKE wildcards literally', async () => {
    const res = await search(`/api/users?name=${encodeURIComponent('0%')}`);
    expect(res.json().data.map((u: { name: string }) => u.name)).toEqual(['Percent 100% Sure']);
    const underscore = await search('/api/users?name=_');
    expect(underscore.json().data).toEqual([]);
  });

  it('requires name (422) and bounds page and per_page', async () => {
    const missing = await search('/api/users');
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toStrictEqual({
      message: 'The name field is required.',
      errors: { name: ['The name field is required.'] },
      status: 422,
    });
    const bounds = await search('/api/users?name=a&page=0&per_page=101');
    expect(bounds.json()).toStrictEqual({
      message: 'The page field must be at least 1. (and 1 more error)',
      errors: { page: ['The page field must be at least 1.'], per_page: ['The per page field must not be greater than 100.'] },
      status: 422,
    });
  });

  it('answers page and per_page numbers out of range with 422, never a 500 (issue 6 defect 7)', async () => {
    const integer = (field: string) => ({ [field]: [`The ${field.replace('_', ' ')} field must be an integer.`] });
    const cases: [string, Record<string, string[]>][] = [
      ['page=1e309', integer('page')],
      ['page=-1e309', integer('page')],
      ['per_page=1e309', integer('per_page')],
      ['page=Infinity', integer('page')],
      ['page=1e3', integer('page')],
      ['page=0x10', integer('page')],
      ['page=05', integer('page')],
      ['page=1.0', integer('page')],
      [`page=${2n ** 64n}`, integer('page')],
      ['page=-0', { page: ['The page field must be at least 1.'] }],
      ['page=2147483648', { page: ['The page field must not be greater than 2147483647.'] }],
      ['per_page=101', { per_page: ['The per page field must not be greater than 100.'] }],
    ];
    for (const [query, errors] of cases) {
      const res = await search(`/api/users?name=a&${query}`);
      expect({ query, status: res.statusCode, errors: res.json().errors }).toEqual({ query, status: 422, errors });
    }
    const json = (body: string) => t.app.inject({ method: 'GET', url: '/api/users', headers: { ...bearer(reader), 'content-type': 'application/json' }, payload: body });
    const jsonCases: [string, Record<string, string[]>][] = [
      ['{"name":"a","page":"1e309"}', integer('page')],
      ['{"name":"a","per_page":"1e309"}', integer('per_page')],
      ['{"name":"a","page":1e309}', integer('page')],
      ['{"name":"a","page":1e300}', integer('page')],
      ['{"name":"a","page":1.5}', integer('page')],
      ['{"name":"a","page":true}', integer('page')],
      ['{"name":"a","page":[1]}', integer('page')],
      ['{"name":"a","page":-0}', { page: ['The page field must be at least 1.'] }],
    ];
    for (const [body, errors] of jsonCases) {
      const res = await json(body);
      expect({ body, status: res.statusCode, errors: res.json().errors }).toEqual({ body, status: 422, errors });
    }
    expect((await json('{"name":"alice","page":"1","per_page":2}')).json().meta).toMatchObject({ current_page: 1, per_page: 2 });
    expect((await search('/api/users?name=alice&page=+2&per_page=2')).json().meta).toMatchObject({ current_page: 2, per_page: 2 });
  });

  it('needs a token (401 first, before validation) carrying users:read (403)', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/users' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toStrictEqual({ message: 'Unauthenticated.', status: 401 });
    const owner = await newUser(t, 'No Scope');
    const writer = await search('/api/users?name=a', bearer(await userToken(t, owner.id, ['users:write'])));
    expect(writer.statusCode).toBe(403);
    expect(writer.json()).toStrictEqual({ message: 'Invalid scope(s) provided.', status: 403 });
  });

  it('serves client-credentials tokens holding users:read, and refuses those without it', async () => {
    const allowed = await search('/api/users?name=bob', bearer(await machineToken(t, ['users:read'])));
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().meta.total).toBe(1);
    const refused = await search('/api/users?name=bob', bearer(await machineToken(t, ['users:write'])));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual({ message: 'Invalid scope(s) provided.', status: 403 });
  });
});

describe("Laravel's page window", () => {
  it('lists every page when there are fewer than 14', () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(7, 13)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('slides three pages each side of the current one between the first two and last two', () => {
    expect(pageWindow(1, 20)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null, 19, 20]);
    expect(pageWindow(10, 20)).toEqual([1, 2, null, 7, 8, 9, 10, 11, 12, 13, null, 19, 20]);
    expect(pageWindow(20, 20)).toEqual([1, 2, null, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });
});
