import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFormBody } from '../../src/http/form-body.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { bearer, newUser, userToken } from '../helpers/user-fixtures.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const INVALID_SCOPES = { message: 'The selected scopes is invalid.', errors: { scopes: ['The selected scopes is invalid.'] }, status: 422 };

describe('the form body parser', () => {
  it("reads PHP's array keys as arrays and keeps single keys as strings", () => {
    expect({ ...parseFormBody('name=x&scopes[]=a&scopes[]=b') }).toEqual({ name: 'x', scopes: ['a', 'b'] });
    expect({ ...parseFormBody('scopes%5B%5D=a') }).toEqual({ scopes: ['a'] });
    expect({ ...parseFormBody('scopes%5B0%5D=a&scopes%5B1%5D=b') }).toEqual({ scopes: ['a', 'b'] });
    expect({ ...parseFormBody('scopes=a') }).toEqual({ scopes: 'a' });
    expect({ ...parseFormBody('scopes=a&scopes=b') }).toEqual({ scopes: ['a', 'b'] });
    expect({ ...parseFormBody('scopes=a&scopes[]=b') }).toEqual({ scopes: ['b'] });
    expect({ ...parseFormBody('scopes[]=b&scopes=a') }).toEqual({ scopes: ['b'] });
    expect({ ...parseFormBody('[]=x&a+b=c+d') }).toEqual({ '[]': 'x', 'a b': 'c d' });
    expect(Object.getPrototypeOf(parseFormBody('__proto__[]=x'))).toBeNull();
  });
});

/** Issue 6 defect 9: `scopes[]=…` (what Laravel and PHP clients send) was dropped, so `scopes[]=bogus` passed. */
describe('form arrays on the routes that take an array', () => {
  let t: TestApp;
  let owner: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    const user = await newUser(t, 'Rasmus');
    owner = bearer(await userToken(t, user.id, ['*']));
  });
  afterAll(() => t.close());

  const createPat = (payload: string, type: Record<string, string> = FORM) =>
    t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: { ...owner, ...type }, payload });

  it('POST /oauth/personal-access-tokens reads scopes[] and scopes[0] as the token scopes', async () => {
    for (const payload of ['name=cli&scopes[]=users:read&scopes[]=users:write', 'name=cli&scopes%5B0%5D=users:read&scopes%5B1%5D=users:write']) {
      const res = await createPat(payload);
      expect(res.statusCode).toBe(200);
      expect(res.json().token.scopes).toEqual(['users:read', 'users:write']);
      expect(decodeJwt(res.json().accessToken).scopes).toEqual(['users:read', 'users:write']);
    }
  });

  it('refuses an undeclared scope with 422 whatever the encoding, and stores nothing', async () => {
    const before = await t.storage.database.db.selectFrom('oauth_access_tokens').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    for (const [payload, type] of [
      ['name=cli&scopes[]=bogus', FORM],
      ['name=cli&scopes%5B%5D=users:read&scopes%5B%5D=bogus', FORM],
      ['name=cli&scopes%5B0%5D=bogus', FORM],
      ['name=cli&scopes=bogus', FORM],
      ['{"name":"cli","scopes":["bogus"]}', JSON_TYPE],
      ['{"name":"cli","scopes":["users:read","*"]}', JSON_TYPE],
    ] as const) {
      const res = await createPat(payload, type);
      expect({ payload, status: res.statusCode, body: res.json() }).toEqual({ payload, status: 422, body: INVALID_SCOPES });
    }
    const after = await t.storage.database.db.selectFrom('oauth_access_tokens').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(after).toEqual(before);
  });

  it('POST /api/login reads scopes[] too, and refuses scopes[]=bogus', async () => {
    const login = (extra: string) =>
      t.app.inject({ method: 'POST', url: '/api/login', headers: FORM, payload: `email=rasmus%40example.com&password=password123&${extra}` });
    const ok = await login('scopes[]=users:read&scopes[]=users:write');
    expect(ok.statusCode).toBe(200);
    expect(decodeJwt(ok.json().access_token).scopes).toEqual(['users:read', 'users:write']);
    const bad = await login('scopes[]=bogus');
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual(INVALID_SCOPES);
  });
});
