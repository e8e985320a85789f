import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/free-port.js';
import { REDIS_URL, uniqueName } from '../helpers/services.js';

/**
 * Regression: with REDIS_URL pointing at a closed port, GET /login took 38 s and then answered
 * 500, POST /api/login 15 s. Now a request that needs Redis fails fast with a 503 naming it,
 * GET /health says which dependency is down, and the node recovers by itself.
 */
describe('Redis unreachable', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers 503 within a few seconds, names Redis, and reports it on /health', async () => {
    const closedPort = await freePort();
    t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${closedPort}`, REDIS_PREFIX: `${uniqueName('outage')}:` } });
    const started = Date.now();
    const page = await t.app.inject({ url: '/login', headers: { accept: 'application/json' } });
    expect(page.statusCode).toBe(503);
    expect(page.json()).toEqual({ message: 'Service Unavailable: Redis cannot be reached. Try again shortly.', status: 503 });
    expect(page.headers['retry-after']).toBe('5');
    const login = await t.app.inject({ method: 'POST', url: '/api/login', payload: { email: 'a@example.com', password: 'password123' } });
    expect(login.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    const health = await t.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'unavailable', database: 'up', redis: 'down' });
    // What needs no Redis still answers.
    expect((await t.app.inject({ url: '/oauth/jwks' })).statusCode).toBe(200);
  });

  it.skipIf(!REDIS_URL)('recovers by itself when Redis comes back', async () => {
    const upstream = new URL(REDIS_URL ?? 'redis://127.0.0.1:6379');
    const port = await freePort();
    const proxy = tcpProxy(Number(upstream.port || 6379), upstream.hostname);
    await proxy.open(port);
    t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: `${uniqueName('outage')}:` } });
    const health = async () => (await t!.app.inject({ url: '/health' })).json<{ redis: string }>().redis;
    expect(await health()).toBe('up');
    expect((await t.app.inject({ url: '/login' })).statusCode).toBe(200);

    await proxy.close();
    const started = Date.now();
    expect((await t.app.inject({ url: '/login' })).statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await health()).toBe('down');

    await proxy.open(port);
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await t.app.inject({ url: '/login' })).statusCode;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect(await health()).toBe('up');
    await proxy.close();
  });
});

/** A TCP relay to Redis that the test can cut and restore, standing in for a Redis outage. */
function tcpProxy(targetPort: number, targetHost: string) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    open(port: number): Promise<void> {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      return new Promise((resolve) => server!.listen(port, '127.0.0.1', () => resolve()));
    },
    close(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
