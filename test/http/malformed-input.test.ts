import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { BearerUser } from '../helpers/bearer-user.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

/**
 * Malformed input — wrong types included — is a 4xx with a message and changes
 * nothing. Found in review: JSON numbers, booleans and one-element arrays were coerced into
 * strings and stored; non-object JSON bodies got a 422 about a field named "".
 */
describe.each(['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const)('malformed JSON input (%s)', (database) => {
  let t: TestApp;
  let alice: BearerUser;
  const json = { 'content-type': 'application/json', accept: 'application/json' };

  beforeAll(async () => {
    t = await createTestApp({ database, env: { REGISTER_RATE_LIMIT: '0' } });
    alice = await bearerUser(t);
  });
  afterAll(() => t.close());

  async function userCount(): Promise<number> {
    const row = await t.storage.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it.each([
    ['a boolean', true],
    ['a number', 12345],
    ['a one-element array', ['Bob']],
    ['an object', { first: 'Bob' }],
  ])('refuses %s where POST /api/users expects the name string', async (_label, name) => {
    const before = await userCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: json,
      payload: { name, email: 'bob@example.com', password: 'password123', password_confirmation: 'password123' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      message: 'The name field must be a string.',
      errors: { name: ['The name field must be a string.'] },
      status: 422,
    });
    expect(await userCount()).toBe(before);
  });

  it('refuses a numeric password on POST /api/v1/user/store, after the guard', async () => {
    const payload = { name: 'Carol', email: 'carol@example.com', password: 12345678 };
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', headers: json, payload });
    expect(anonymous.statusCode).toBe(401);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', headers: { ...json, ...alice.headers }, payload });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual({ password: ['The password field must be a string.'] });
  });

  it('refuses an array name on POST /oauth/clients and creates no client', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/clients',
      headers: { ...json, ...alice.headers },
      payload: { name: ['App'], redirect: 'https://app.example/callback' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual({ name: ['The name field must be a string.'] });
    expect(await t.storage.repositories.clients.listForUser(alice.user.id)).toEqual([]);
  });

  it('refuses an array device_name on POST /api/login', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/login',
      headers: json,
      payload: { email: alice.user.email, password: 'password123', device_name: ['phone'] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual({ device_name: ['The device name field must be a string.'] });
  });

  it.each([['[]'], ['[1,2]'], ['1'], ['"text"']])('reads the non-object JSON body %s on POST /oauth/clients as no input', async (body) => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: { ...json, ...alice.headers }, payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      message: 'The name field is required. (and 1 more error)',
      errors: { name: ['The name field is required.'], redirect: ['The redirect field is required.'] },
      status: 422,
    });
  });

  it('reads a non-object JSON body on POST /oauth/personal-access-tokens as no input', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: { ...json, ...alice.headers }, payload: '["x"]' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual({ name: ['The name field is required.'] });
  });

  it('still reads form input as strings (a single form scope is a list of one)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/personal-access-tokens',
      headers: { ...alice.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=CLI&scopes=users:read',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().token.scopes).toEqual(['users:read']);
  });

  it('still takes a numeric client_id on the token endpoint (league reads it as a string)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: json, payload: { grant_type: 'client_credentials', client_id: 42, client_secret: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });
});
