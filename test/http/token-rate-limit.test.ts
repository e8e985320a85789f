import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { REDIS_URL } from '../helpers/services.js';
import { confidentialClient, form } from '../oauth/fixtures.js';

const stores = [{ store: 'memory', redis: false }, ...(REDIS_URL ? [{ store: 'redis', redis: true }] : [])];

describe.each(stores)('token endpoint rate limits ($store)', ({ redis }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers the request past TOKEN_RATE_LIMIT a minute with 429 and rate limit headers', async () => {
    t = await createTestApp({ redis, env: { TOKEN_RATE_LIMIT: '3' } });
    const machine = await confidentialClient(t);
    const body = form({ grant_type: 'client_credentials', client_id: machine.client.id, client_secret: machine.secret });
    const send = () => t!.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, accept: 'application/json' } });
    for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(200);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    if (redis) {
      // Every node counts in the same place: the counters live in Redis.
      const keys = await t.services.redis?.keys(`${t.services.config.redisPrefix}rate:*`);
      expect(keys?.length).toBeGreaterThan(0);
    }
    // Revocation and introspection are limited too, each on its own count.
    for (const url of ['/oauth/revoke', '/oauth/introspect']) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await t.app.inject({ method: 'POST', url, payload: form({ token: 'x', client_id: machine.client.id, client_secret: machine.secret }).payload, headers: body.headers });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    }
  });

  it('is off with TOKEN_RATE_LIMIT=0', async () => {
    t = await createTestApp({ redis, env: { TOKEN_RATE_LIMIT: '0' } });
    for (let i = 0; i < 70; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/token' });
      expect(res.statusCode).toBe(400);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
