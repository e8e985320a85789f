import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { POSTGRES_URL, bearer, machineToken, newUser, userJson, userToken } from '../helpers/user-fixtures.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

function register(t: TestApp, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/users', payload });
}

describe.each(databases)('user routes on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { REGISTER_RATE_LIMIT: '0' } });
  });
  afterAll(() => t.close());

  describe('POST /api/users', () => {
    it('registers a user: 201 with the user, never a password hash; the hash is argon2id', async () => {
      const res = await register(t, {
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        password: 'analytical',
        password_confirmation: 'analytical',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toStrictEqual(userJson('Ada Lovelace', 'ada@example.com'));
      const stored = await t.storage.repositories.users.findByEmail('ada@example.com');
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    });

    it('accepts a form-encoded body and trims the name and email as Laravel does', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=+Grace+Hopper+&email=grace%40example.com+&password=cobol-1959&password_confirmation=cobol-1959',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toStrictEqual(userJson('Grace Hopper', 'grace@example.com'));
    });

    it('answers an empty body with every missing field and the "(and N more errors)" summary', async () => {
      const res = await register(t, {});
      expect(res.statusCode).toBe(422);
      expect(res.json()).toStrictEqual({
        message: 'The name field is required. (and 2 more errors)',
        errors: {
          name: ['The name field is required.'],
          email: ['The email field is required.'],
          password: ['The password field is required.'],
        },
        status: 422,
      });
    });

    it('lists errors in the order of the fields, as Laravel does, and says "(and 1 more error)"', async () => {
      const res = await register(t, { name: 'Someone', email: 'not-an-email' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toStrictEqual({
        message: 'The email field must be a valid email address. (and 1 more error)',
        errors: {
          email: ['The email field must be a valid email address.'],
          password: ['The password field is required.'],
        },
        status: 422,
      });
    });

    it('treats blank and null values as missing, and an empty password as missing rather than short', async () => {
      const res = await register(t, { name: '   ', email: null, password: '' });
      expect(res.json()).toMatchObject({
        message: 'The name field is required. (and 2 more errors)',
        errors: {
          name: ['The name field is required.'],
          email: ['The email field is required.'],
          password: ['The password field is required.'],
        },
      });
    });

    it('rejects a name over 191 characters and a password under 8', async () => {
      const res = await register(t, { name: 'n'.repeat(192), email: 'long@example.com', password: 'short', password_confirmation: 'short' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toStrictEqual({
        message: 'The name field must not be greater than 191 characters. (and 1 more error)',
        errors: {
          name: ['The name field must not be greater than 191 characters.'],
          password: ['The password field must be at least 8 characters.'],
        },
        status: 422,
      });
    });

    it('refuses an email already taken, whatever its case', async () => {
      await newUser(t, 'Taken', 'Taken@Example.com');
      const res = await register(t, { name: 'Other', email: 'taken@EXAMPLE.com', password: 'password123', password_confirmation: 'password123' });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toStrictEqual({
        message: 'The email has already been taken.',
        errors: { email: ['The email has already been taken.'] },
        status: 422,
      });
    });

    it('requires the password confirmation to match, and reports it with a taken email', async () => {
      const mismatch = await register(t, { name: 'M', email: 'mismatch@example.com', password: 'password123', password_confirmation: 'password124' });
      expect(mismatch.statusCode).toBe(422);
      expect(mismatch.json()).toStrictEqual({
        message: 'The password field confirmation does not match.',
        errors: { password: ['The password field confirmation does not match.'] },
        status: 422,
      });
      const missing = await register(t, { name: 'M', email: 'mismatch@example.com', password: 'password123' });
      expect(missing.json()).toMatchObject({ errors: { password: ['The password field confirmation does not match.'] } });
      const both = await register(t, { name: 'M', email: 'TAKEN@example.com', password: 'password123', password_confirmation: 'x' });
      expect(both.json()).toStrictEqual({
        message: 'The email has already been taken. (and 1 more error)',
        errors: { email: ['The email has already been taken.'], password: ['The password field confirmation does not match.'] },
        status: 422,
      });
      expect(await t.storage.repositories.users.findByEmail('mismatch@example.com')).toBeUndefined();
    });

    it('answers malformed JSON with 400 and creates nothing', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: { 'content-type': 'application/json' },
        payload: '{"name": "Broken",',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toStrictEqual({ message: 'The request body is not valid JSON.', status: 400 });
    });
  });

  describe('GET /api/user', () => {
    it('returns the user of a bearer token', async () => {
      const user = await newUser(t, 'Token Owner');
      const res = await t.app.inject({ method: 'GET', url: '/api/user', headers: bearer(await userToken(t, user.id, [])) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toStrictEqual({ ...userJson('Token Owner', 'token.owner@example.com'), id: user.id });
    });

    it('is 401 without a token, with an invalid token, and for a client-credentials token', async () => {
      const expected = { message: 'Unauthenticated.', status: 401 };
      const none = await t.app.inject({ method: 'GET', url: '/api/user' });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toStrictEqual(expected);
      const garbage = await t.app.inject({ method: 'GET', url: '/api/user', headers: bearer('not.a.jwt') });
      expect(garbage.json()).toStrictEqual(expected);
      const machine = await t.app.inject({ method: 'GET', url: '/api/user', headers: bearer(await machineToken(t, ['*'])) });
      expect(machine.statusCode).toBe(401);
      expect(machine.json()).toStrictEqual(expected);
    });
  });

  describe('POST /api/v1/user/store', () => {
    const body = { name: 'Stored User', email: 'stored@example.com', password: 'password123' };

    it('is 401 without a token, as the reference shows, before any validation', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', payload: {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toStrictEqual({ message: 'Unauthenticated.', status: 401 });
    });

    it('is 403 for a token without users:write', async () => {
      const user = await newUser(t, 'Reader Only');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/user/store',
        headers: bearer(await userToken(t, user.id, ['users:read'])),
        payload: body,
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toStrictEqual({ message: 'Invalid scope(s) provided.', status: 403 });
    });

    it('creates a user for a client-credentials token with users:write, then refuses the same email', async () => {
      const headers = bearer(await machineToken(t, ['users:write']));
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', headers, payload: body });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toStrictEqual(userJson('Stored User', 'stored@example.com'));
      const again = await t.app.inject({ method: 'POST', url: '/api/v1/user/store', headers, payload: { ...body, email: 'STORED@example.com' } });
      expect(again.statusCode).toBe(422);
      expect(again.json()).toStrictEqual({
        message: 'The email has already been taken.',
        errors: { email: ['The email has already been taken.'] },
        status: 422,
      });
    });

    it('validates like registration, without a confirmation', async () => {
      const user = await newUser(t, 'Writer');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/user/store',
        headers: bearer(await userToken(t, user.id, ['users:write'])),
        payload: { email: 'bad', password: 'short' },
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toStrictEqual({
        message: 'The name field is required. (and 2 more errors)',
        errors: {
          name: ['The name field is required.'],
          email: ['The email field must be a valid email address.'],
          password: ['The password field must be at least 8 characters.'],
        },
        status: 422,
      });
    });
  });
});

describe('registration settings', () => {
  it('answers 403 when REGISTRATION=closed and creates nothing', async () => {
    const t = await createTestApp({ env: { REGISTRATION: 'closed' } });
    try {
      const res = await register(t, { name: 'Late', email: 'late@example.com', password: 'password123', password_confirmation: 'password123' });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toStrictEqual({ message: 'This action is unauthorized.', status: 403 });
      expect(await t.storage.repositories.users.findByEmail('late@example.com')).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('limits registrations per address to REGISTER_RATE_LIMIT a minute: 429 with Retry-After', async () => {
    const t = await createTestApp({ env: { REGISTER_RATE_LIMIT: '2' } });
    try {
      const attempt = (n: number) => register(t, { name: `R${n}`, email: `r${n}@example.com`, password: 'password123', password_confirmation: 'password123' });
      const first = await attempt(1);
      expect(first.statusCode).toBe(201);
      expect(first.headers['x-ratelimit-limit']).toBe('2');
      expect(first.headers['x-ratelimit-remaining']).toBe('1');
      expect((await attempt(2)).statusCode).toBe(201);
      const limited = await attempt(3);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toStrictEqual({ message: 'Too Many Attempts.', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(await t.storage.repositories.users.findByEmail('r3@example.com')).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('does not limit registrations when REGISTER_RATE_LIMIT=0', async () => {
    const t = await createTestApp({ env: { REGISTER_RATE_LIMIT: '0' } });
    try {
      for (let n = 0; n < 12; n += 1) {
        const res = await register(t, { name: `U${n}`, email: `u${n}@example.com`, password: 'password123', password_confirmation: 'password123' });
        expect(res.statusCode).toBe(201);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});
