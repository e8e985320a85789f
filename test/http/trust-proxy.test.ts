import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

describe('TRUST_PROXY', () => {
  it('reads false, true (one hop), a hop count or a list of addresses and CIDR ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    for (const off of ['false', '0', 'off', 'no']) expect(loadConfig({ TRUST_PROXY: off }).trustProxy).toBe(false);
    for (const on of ['true', 'TRUE', 'yes', 'on', '1']) expect(loadConfig({ TRUST_PROXY: on }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback']);
    for (const bad of ['maybe', '10.0.0.0/33', '10.0.0/8', '::1/129', '10.0.0.1/8/8', 'proxy.example.com', '1,,2', '101']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrowError(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrowError(/TRUST_PROXY/);
    }
  });
});

/**
 * Issue 6 defect 2: with TRUST_PROXY=true Fastify trusted every hop, so the left-most,
 * client-written X-Forwarded-For was the client address: rotating it never reached the 429.
 */
describe.each(databases)('client addresses behind a proxy on %s', (database) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function appWith(trustProxy: string) {
    t = await createTestApp({ database, env: { TRUST_PROXY: trustProxy, LOGIN_RATE_LIMIT: '5' } });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: 'correct horse battery' });
    return t;
  }

  /** Wrong passwords, each with a new client-written left-most X-Forwarded-For. */
  async function rotatingAttempts(app: TestApp, headers: (n: number) => Record<string, string>, remoteAddress = '127.0.0.1') {
    const statuses: number[] = [];
    for (let n = 1; n <= 7; n += 1) {
      const res = await app.app.inject({
        method: 'POST',
        url: '/api/login',
        remoteAddress,
        headers: { 'content-type': 'application/json', ...headers(n) },
        payload: { email: 'ada@example.com', password: `wrong ${n}` },
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  }

  for (const setting of ['1', 'true']) {
    it(`TRUST_PROXY=${setting}: a rotating left-most X-Forwarded-For still reaches the 429`, async () => {
      const app = await appWith(setting);
      const statuses = await rotatingAttempts(app, (n) => ({ 'x-forwarded-for': `10.7.0.${n}, 127.0.0.1` }));
      expect(statuses).toEqual([422, 422, 422, 422, 422, 429, 429]);
    });
  }

  it('TRUST_PROXY=<list>: the first address from the right that is not a listed proxy is the client', async () => {
    const app = await appWith('10.0.0.0/8,127.0.0.1');
    // The proxy (10.0.0.5) appended the real client, 203.0.113.7; what the client wrote is further left.
    const forged = await rotatingAttempts(app, (n) => ({ 'x-forwarded-for': `198.51.100.${n}, 203.0.113.7` }), '10.0.0.5');
    expect(forged).toEqual([422, 422, 422, 422, 422, 429, 429]);
    // Another real client behind the same proxy has its own count.
    const other = await app.app.inject({
      method: 'POST',
      url: '/api/login',
      remoteAddress: '10.0.0.5',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.8' },
      payload: { email: 'ada@example.com', password: 'wrong' },
    });
    expect(other.statusCode).toBe(422);
    // A client that is not a listed proxy cannot choose its address at all.
    const direct = await rotatingAttempts(app, (n) => ({ 'x-forwarded-for': `10.9.9.${n}` }), '192.0.2.50');
    expect(direct).toEqual([422, 422, 422, 422, 422, 429, 429]);
  });

  it('TRUST_PROXY=false ignores X-Forwarded-For', async () => {
    const app = await appWith('false');
    const statuses = await rotatingAttempts(app, (n) => ({ 'x-forwarded-for': `192.0.2.${n}` }));
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429, 429]);
  });

  it('stores a forwarded address in the sessions table only when it is an IP address (varchar(45)), never a 500', async () => {
    const app = await appWith('1');
    const cases: [string, string | null][] = [
      [`${'1234:'.repeat(20)}1`, null],
      ['not-an-address', null],
      ['2001:db8::1', '2001:db8::1'],
      ['0000:0000:0000:0000:0000:ffff:255.255.255.255', '0000:0000:0000:0000:0000:ffff:255.255.255.255'],
    ];
    for (const [forwarded, stored] of cases) {
      const res = await app.app.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html', 'x-forwarded-for': forwarded } });
      expect({ forwarded, status: res.statusCode }).toEqual({ forwarded, status: 200 });
      const rows = await app.storage.database.db.selectFrom('sessions').select('ip_address').execute();
      expect(rows.at(-1)?.ip_address).toBe(stored);
      await app.storage.database.db.deleteFrom('sessions').execute();
    }
  });
});
