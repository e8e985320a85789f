import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { App } from '../src/http/app.js';
import { buildApp } from '../src/http/app.js';
import type { Assembly } from '../src/services.js';
import { assembleServices } from '../src/services.js';
import { InjectBrowser, loginThroughForm } from './helpers/cookie-jar.js';
import { POSTGRES_URL, REDIS_URL, uniqueName } from './helpers/services.js';

/**
 * Any number of nodes on one PostgreSQL and one Redis behave as one server. Two
 * applications share a schema, a Redis prefix and the key files; nothing else.
 */
describe.skipIf(!POSTGRES_URL || !REDIS_URL)('two nodes on one PostgreSQL and one Redis', () => {
  // Made in beforeAll: the body of a skipped describe still runs, and would leave the folder behind.
  let storagePath = '';
  const schema = uniqueName('authgate_nodes');
  const env = {
    STORAGE_PATH: '',
    DATABASE_URL: POSTGRES_URL ?? '',
    REDIS_URL: REDIS_URL ?? '',
    REDIS_PREFIX: `${uniqueName('authgate_nodes')}:`,
    LOG_LEVEL: 'silent',
  };
  const nodes: (Assembly & { app: App })[] = [];

  beforeAll(async () => {
    storagePath = mkdtempSync(join(tmpdir(), 'authgate-nodes-'));
    env.STORAGE_PATH = storagePath;
    for (let i = 0; i < 2; i++) {
      // One after the other: the first creates the keys, APP_KEY and tables the second reads.
      const assembly = await assembleServices(loadConfig(env), { databaseSchema: schema });
      nodes.push({ ...assembly, app: await buildApp(assembly.services, { logger: false }) });
    }
  });

  afterAll(async () => {
    const first = nodes[0];
    if (first) {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(first.storage.database.db);
      const keys = await first.services.redis!.keys(`${env.REDIS_PREFIX}*`);
      if (keys.length > 0) await first.services.redis!.del(...keys);
    }
    for (const node of nodes) {
      await node.app.close();
      await node.services.close();
    }
    if (storagePath) rmSync(storagePath, { recursive: true, force: true });
  });

  const json = { accept: 'application/json' };

  it('a token revoked on one node is refused by the other at once', async () => {
    const [a, b] = [nodes[0]!.app, nodes[1]!.app];
    const user = { name: 'Grace', email: 'grace@example.com', password: 'password123', password_confirmation: 'password123' };
    expect((await a.inject({ method: 'POST', url: '/api/users', payload: user, headers: json })).statusCode).toBe(201);
    const login = await b.inject({ method: 'POST', url: '/api/login', payload: { email: user.email, password: user.password }, headers: json });
    const auth = { ...json, authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` };

    expect((await a.inject({ url: '/api/user', headers: auth })).json()).toMatchObject({ email: user.email });
    const [token] = (await b.inject({ url: '/oauth/personal-access-tokens', headers: auth })).json<{ id: string }[]>();
    expect((await b.inject({ method: 'DELETE', url: `/oauth/personal-access-tokens/${token!.id}`, headers: auth })).statusCode).toBe(204);
    expect((await a.inject({ url: '/api/user', headers: auth })).statusCode).toBe(401);
  });

  it('a session opened on one node is honoured by the other', async () => {
    const [a, b] = [nodes[0]!.app, nodes[1]!.app];
    const browser = new InjectBrowser(a);
    const login = await loginThroughForm(browser, 'grace@example.com', 'password123');
    expect(login.statusCode).toBeLessThan(400);
    const onB = await b.inject({ url: '/oauth/clients', headers: { ...json, cookie: browser.jar.header() } });
    expect(onB.statusCode).toBe(200);
    expect(onB.json()).toEqual([]);
  });

  it('failed logins are counted across nodes', async () => {
    const [a, b] = [nodes[0]!.app, nodes[1]!.app];
    const attempt = (app: App) =>
      app.inject({ method: 'POST', url: '/api/login', payload: { email: 'grace@example.com', password: 'wrong-password' }, headers: json });
    for (const app of [a, b, a, b, a]) expect((await attempt(app)).statusCode).toBe(422);
    const blocked = await attempt(b);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
