import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../helpers/services.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { PROCESS_APP_KEY, TempDirs, createPostgresDatabase, insertMachineClient, startServer } from '../helpers/server-process.js';

const temp = new TempDirs();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops.splice(0)) await drop();
  temp.removeAll();
});

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const LOAD_MS = 1_500;
const CONCURRENCY = 8;

interface Received {
  kind: 'client_credentials' | 'login';
  token: string;
}

/**
 * SPEC §8: a write a client was told succeeded survives `kill -9`. Token and login load runs
 * against a server process, which is killed with SIGKILL while requests are in flight; after a
 * restart on the same storage, every token a client received is still accepted.
 */
describe.each(databases)('kill -9 under load on %s', (database) => {
  it('keeps every token a client received', { timeout: 120_000 }, async () => {
    const storage = temp.make();
    let databaseUrl = `sqlite:${join(storage, 'database.sqlite')}`;
    if (database === 'postgres') {
      const created = await createPostgresDatabase();
      drops.push(created.drop);
      databaseUrl = created.url;
    }
    // A fixed issuer, as in production: the restarted server listens on another port, and tokens name their issuer.
    const env = {
      STORAGE_PATH: storage,
      DATABASE_URL: databaseUrl,
      APP_URL: 'http://auth.crash.test',
      APP_KEY: PROCESS_APP_KEY,
      TOKEN_RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '0',
      REGISTER_RATE_LIMIT: '0',
    };
    const first = await startServer(env);
    const client = await insertMachineClient(databaseUrl);
    const user = { name: 'Crash', email: 'crash@example.com', password: 'password123', password_confirmation: 'password123' };
    expect((await post(first, '/api/users', JSON.stringify(user), 'application/json')).status).toBe(201);

    const received: Received[] = [];
    let stop = false;
    const worker = async (index: number) => {
      for (let n = 0; !stop; n += 1) {
        try {
          // One request in eight is a login (argon2, slower); the rest issue client-credentials tokens.
          if ((index + n) % 8 === 0) {
            const res = await post(first, '/api/login', JSON.stringify({ email: user.email, password: user.password }), 'application/json');
            if (res.status === 200) received.push({ kind: 'login', token: ((await res.json()) as { access_token: string }).access_token });
          } else {
            const res = await post(first, '/oauth/token', 'grant_type=client_credentials&scope=users%3Aread', 'application/x-www-form-urlencoded', client.basic);
            if (res.status === 200) received.push({ kind: 'client_credentials', token: ((await res.json()) as { access_token: string }).access_token });
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(i)));
    await new Promise((r) => setTimeout(r, LOAD_MS));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    stop = true;
    await load;
    expect(received.filter((r) => r.kind === 'client_credentials').length).toBeGreaterThan(10);
    expect(received.filter((r) => r.kind === 'login').length).toBeGreaterThan(0);

    const second = await startServer(env);
    try {
      const refused: Received[] = [];
      for (let i = 0; i < received.length; i += 16) {
        await Promise.all(
          received.slice(i, i + 16).map(async (item) => {
            const accepted =
              item.kind === 'login'
                ? (await fetch(`${second.base}/api/user`, { headers: { authorization: `Bearer ${item.token}`, accept: 'application/json' } })).status === 200
                : ((await (await post(second, '/oauth/introspect', `token=${item.token}`, 'application/x-www-form-urlencoded', client.basic)).json()) as { active: boolean }).active;
            if (!accepted) refused.push(item);
          }),
        );
      }
      expect({ received: received.length, refused }).toEqual({ received: received.length, refused: [] });
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});

function post(server: ServerProcess, path: string, body: string, type: string, authorization?: string): Promise<Response> {
  return fetch(server.base + path, {
    method: 'POST',
    headers: { 'content-type': type, accept: 'application/json', ...(authorization ? { authorization } : {}) },
    body,
  });
}
