import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { REDIS_URL } from '../helpers/services.js';
import { basic, confidentialClient, form, registeredUser } from '../oauth/fixtures.js';

const stores = [{ store: 'memory', redis: false }, ...(REDIS_URL ? [{ store: 'redis', redis: true }] : [])];

/**
 * Regression: with OAUTH_PASSWORD_GRANT=true, 20 wrong passwords for one user were all answered
 * 400 and the right one then succeeded — the password grant skipped the login throttle. It now
 * counts with /login and /api/login, per email and address.
 */
describe.each(stores)('the password grant and the login throttle ($store)', ({ redis }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function setUp() {
    t = await createTestApp({ redis, env: { OAUTH_PASSWORD_GRANT: 'true', TOKEN_RATE_LIMIT: '0', LOGIN_RATE_LIMIT: '5' } });
    const user = await registeredUser(t.services, 'right-password');
    const client = await confidentialClient(t, { passwordClient: true });
    const grant = (password: string, address = '10.0.0.1') => {
      const body = form({ grant_type: 'password', username: user.email, password });
      return t!.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: body.payload,
        remoteAddress: address,
        headers: { ...body.headers, authorization: basic(client.client.id, client.secret) },
      });
    };
    return { user, grant, app: t };
  }

  it('answers 429 once LOGIN_RATE_LIMIT attempts failed, even for the right password', async () => {
    const { grant } = await setUp();
    for (let i = 0; i < 5; i++) {
      expectOAuthError(await grant('wrong-password'), { status: 400, error: 'invalid_grant', description: 'The user credentials were incorrect.' });
    }
    const blocked = await grant('right-password');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is counted apart.
    expect((await grant('right-password', '10.0.0.2')).statusCode).toBe(200);
  });

  it('counts failures of POST /api/login against the same email and address', async () => {
    const { user, grant, app } = await setUp();
    for (let i = 0; i < 5; i++) {
      const res = await app.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress: '10.0.0.1',
        payload: { email: user.email, password: 'wrong-password' },
      });
      expect(res.statusCode).toBe(422);
    }
    expect((await grant('right-password')).statusCode).toBe(429);
  });

  it('clears the count on success, as the login form does', async () => {
    const { grant } = await setUp();
    for (let i = 0; i < 4; i++) expect((await grant('wrong-password')).statusCode).toBe(400);
    expect((await grant('right-password')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await grant('wrong-password')).statusCode).toBe(400);
  });
});
