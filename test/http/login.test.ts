import { hash as bcryptHash } from '@node-rs/bcrypt';
import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { POSTGRES_URL, REDIS_URL, uniqueName } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const BAD_CREDENTIALS = {
  message: 'These credentials do not match our records.',
  errors: { email: ['These credentials do not match our records.'] },
  status: 422,
};
const TOO_MANY = { message: 'Too Many Attempts.', status: 429 };

function login(t: TestApp, payload: Record<string, unknown>, remoteAddress = '127.0.0.1') {
  return t.app.inject({ method: 'POST', url: '/api/login', payload, remoteAddress });
}

describe.each(databases)('POST /api/login on %s', (database) => {
  let t: TestApp;
  let userId: number;
  beforeAll(async () => {
    t = await createTestApp({ database });
    userId = (await t.services.users.register({ name: 'Linus', email: 'linus@example.com', password: 'correct horse' })).id;
  });
  afterAll(() => t.close());

  it('issues a personal access token that works on GET /api/user', async () => {
    const res = await login(t, { email: 'Linus@Example.com', password: 'correct horse' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toStrictEqual({
      token_type: 'Bearer',
      access_token: expect.any(String),
      expires_in: 31536000,
      user: {
        id: userId,
        name: 'Linus',
        email: 'linus@example.com',
        email_verified_at: null,
        created_at: expect.stringMatching(TIME),
        updated_at: expect.stringMatching(TIME),
      },
    });
    const me = await t.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toStrictEqual(body.user);

    const claims = decodeJwt(body.access_token);
    expect(claims.scopes).toEqual(['*']);
    const record = await t.storage.repositories.accessTokens.findById(String(claims.jti));
    const personalClient = await t.storage.repositories.clients.findPersonalAccessClient();
    expect(record).toMatchObject({ name: 'login', userId, clientId: personalClient?.id, scopes: ['*'] });
  });

  it('names the token after device_name and grants only the declared scopes asked for', async () => {
    const res = await login(t, { email: 'linus@example.com', password: 'correct horse', device_name: 'laptop', scopes: ['users:read'] });
    expect(res.statusCode).toBe(200);
    const jwt: string = res.json().access_token;
    const record = await t.storage.repositories.accessTokens.findById(String(decodeJwt(jwt).jti));
    expect(record).toMatchObject({ name: 'laptop', scopes: ['users:read'] });
    const auth = { authorization: `Bearer ${jwt}` };
    const read = await t.app.inject({ method: 'GET', url: '/api/users?name=lin', headers: auth });
    expect(read.statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', headers: auth, payload: {} });
    expect(write.statusCode).toBe(403);
  });

  it('refuses undeclared scopes with 422', async () => {
    const res = await login(t, { email: 'linus@example.com', password: 'correct horse', scopes: ['users:read', 'admin'] });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toStrictEqual({
      message: 'The selected scopes is invalid.',
      errors: { scopes: ['The selected scopes is invalid.'] },
      status: 422,
    });
  });

  it('validates email and password', async () => {
    const empty = await login(t, {});
    expect(empty.statusCode).toBe(422);
    expect(empty.json()).toStrictEqual({
      message: 'The email field is required. (and 1 more error)',
      errors: { email: ['The email field is required.'], password: ['The password field is required.'] },
      status: 422,
    });
    const bad = await login(t, { email: 'nope', password: 'x' });
    expect(bad.json()).toStrictEqual({
      message: 'The email field must be a valid email address.',
      errors: { email: ['The email field must be a valid email address.'] },
      status: 422,
    });
  });

  it('answers a wrong password and an unknown email alike: 422 on email', async () => {
    const wrong = await login(t, { email: 'linus@example.com', password: 'wrong horse' }, '10.0.0.1');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toStrictEqual(BAD_CREDENTIALS);
    expect(wrong.headers['x-ratelimit-limit']).toBe('5');
    expect(wrong.headers['x-ratelimit-remaining']).toBe('4');
    const unknown = await login(t, { email: 'nobody@example.com', password: 'correct horse' }, '10.0.0.1');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toStrictEqual(BAD_CREDENTIALS);
  });

  it('answers the 6th failure in a minute with 429 and Retry-After, even with the right password', async () => {
    const address = '10.0.0.2';
    for (let n = 1; n <= 5; n += 1) {
      const res = await login(t, { email: 'linus@example.com', password: `guess ${n}` }, address);
      expect(res.statusCode).toBe(422);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - n));
    }
    const sixth = await login(t, { email: 'LINUS@example.com', password: 'guess 6' }, address);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json()).toStrictEqual(TOO_MANY);
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers['x-ratelimit-limit']).toBe('5');
    expect(sixth.headers['x-ratelimit-remaining']).toBe('0');
    const right = await login(t, { email: 'linus@example.com', password: 'correct horse' }, address);
    expect(right.statusCode).toBe(429);
    // The count is per email and address: another address, or another email, is not locked out.
    expect((await login(t, { email: 'linus@example.com', password: 'correct horse' }, '10.0.0.3')).statusCode).toBe(200);
    expect((await login(t, { email: 'other@example.com', password: 'x' }, address)).statusCode).toBe(422);
  });

  it('clears the count on a successful login', async () => {
    const address = '10.0.0.4';
    for (let n = 1; n <= 4; n += 1) {
      expect((await login(t, { email: 'linus@example.com', password: 'nope' }, address)).statusCode).toBe(422);
    }
    expect((await login(t, { email: 'linus@example.com', password: 'correct horse' }, address)).statusCode).toBe(200);
    for (let n = 1; n <= 5; n += 1) {
      const res = await login(t, { email: 'linus@example.com', password: 'nope' }, address);
      expect(res.statusCode).toBe(422);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - n));
    }
    expect((await login(t, { email: 'linus@example.com', password: 'nope' }, address)).statusCode).toBe(429);
  });

  it("logs in with a Laravel $2y$ bcrypt hash and rehashes it to argon2id", async () => {
    const laravelHash = (await bcryptHash('secret-from-laravel', 10)).replace(/^\$2b\$/, '$2y$');
    const now = '2024-01-02 03:04:05';
    await sql`insert into users (name, email, password, created_at, updated_at)
      values (${'Imported'}, ${'imported@example.com'}, ${laravelHash}, ${now}, ${now})`.execute(t.storage.database.db);
    const res = await login(t, { email: 'imported@example.com', password: 'secret-from-laravel' });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ name: 'Imported', created_at: '2024-01-02T03:04:05.000000Z' });
    const stored = await t.storage.repositories.users.findByEmail('imported@example.com');
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await login(t, { email: 'imported@example.com', password: 'secret-from-laravel' })).statusCode).toBe(200);
  });

  it('accepts a form-encoded body with scopes[] fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=linus%40example.com&password=correct+horse&scopes[]=users:read&scopes[]=users:write',
    });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json().access_token).scopes).toEqual(['users:read', 'users:write']);
  });
});

describe('login throttle settings', () => {
  it('does not throttle when LOGIN_RATE_LIMIT=0', async () => {
    const t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '0' } });
    try {
      await t.services.users.register({ name: 'Free', email: 'free@example.com', password: 'password123' });
      for (let n = 0; n < 7; n += 1) {
        const res = await login(t, { email: 'free@example.com', password: 'wrong' });
        expect(res.statusCode).toBe(422);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
      expect((await login(t, { email: 'free@example.com', password: 'password123' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it.skipIf(!REDIS_URL)('shares the count between nodes through Redis', async () => {
    const env = { REDIS_PREFIX: `${uniqueName('authgate_login')}:`, LOGIN_RATE_LIMIT: '2' };
    const first = await createTestApp({ redis: true, env });
    const second = await createTestApp({ redis: true, env });
    try {
      const payload = { email: 'shared@example.com', password: 'wrong' };
      expect((await login(first, payload)).statusCode).toBe(422);
      expect((await login(second, payload)).statusCode).toBe(422);
      const third = await login(first, payload);
      expect(third.statusCode).toBe(429);
      expect(third.json()).toStrictEqual(TOO_MANY);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
