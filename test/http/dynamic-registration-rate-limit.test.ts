import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { REDIS_URL } from '../helpers/services.js';
import { form } from '../oauth/fixtures.js';
import { REDIRECT, postRegistration } from './dynamic-registration-helpers.js';

const stores = [{ store: 'memory', redis: false }, ...(REDIS_URL ? [{ store: 'redis', redis: true }] : [])];

describe.each(stores)('the registration rate limit ($store)', ({ redis }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers the registration past DYNAMIC_REGISTRATION_RATE_LIMIT with 429, counting apart from TOKEN_RATE_LIMIT', async () => {
    t = await createTestApp({ redis, env: { OAUTH_DYNAMIC_REGISTRATION: 'open', DYNAMIC_REGISTRATION_RATE_LIMIT: '2', TOKEN_RATE_LIMIT: '3' } });
    const register = () => postRegistration(t!, { redirect_uris: [REDIRECT] });
    const first = await register();
    expect(first.statusCode).toBe(201);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect((await register()).statusCode).toBe(201);
    const limited = await register();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect((await t.services.clients.listAll()).length).toBe(2);
    // The token endpoint keeps its own count and its own limit.
    const body = form({ grant_type: 'client_credentials' });
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: body.headers });
    expect(token.statusCode).toBe(400);
    expect(token.headers['x-ratelimit-limit']).toBe('3');
    expect(token.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('is off with DYNAMIC_REGISTRATION_RATE_LIMIT=0, whatever TOKEN_RATE_LIMIT says', async () => {
    t = await createTestApp({ redis, env: { OAUTH_DYNAMIC_REGISTRATION: 'open', DYNAMIC_REGISTRATION_RATE_LIMIT: '0', TOKEN_RATE_LIMIT: '1' } });
    for (let i = 0; i < 12; i++) {
      const res = await postRegistration(t, { redirect_uris: [REDIRECT] });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
