import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_APP_KEY, TempDirs, insertMachineClient, startServer } from '../helpers/server-process.js';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const SHUTDOWN_TIMEOUT = 3;

/** A request written in parts on its own connection; `done` resolves with the raw answer when the server closes. */
function openRequest(port: number, head: string, firstPart: string): { socket: Socket; done: Promise<string>; connected: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const done = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
  socket.write(head + firstPart);
  return { socket, done, connected };
}

const status = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);

/**
 * Issue 6 defect 6: SIGTERM did not stop the server while a stalled request was open. Now it
 * stops accepting, lets in-flight requests finish, cuts what is still open after
 * SHUTDOWN_TIMEOUT and exits 0.
 */
describe('SIGTERM drains the server', () => {
  it(
    'completes in-flight requests with 200, cuts a stalled upload after SHUTDOWN_TIMEOUT and exits 0',
    { timeout: 60_000 },
    async () => {
      const storage = temp.make();
      const server = await startServer({
        STORAGE_PATH: storage,
        APP_KEY: PROCESS_APP_KEY,
        SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT}s`,
        TOKEN_RATE_LIMIT: '0',
      });
      const client = await insertMachineClient(`sqlite:${join(storage, 'database.sqlite')}`);
      const body = 'grant_type=client_credentials&scope=users%3Aread';
      const head = (length: number) =>
        `POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${client.basic}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;

      // An idle keep-alive connection must not hold the shutdown up.
      const idle = openRequest(server.port, 'GET /oauth/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '');
      // Five requests in flight: headers and half the body now, the rest after SIGTERM.
      const inFlight = Array.from({ length: 5 }, () => openRequest(server.port, head(body.length), body.slice(0, 20)));
      // One stalled client: declares 100 bytes, sends 10, never more.
      const stalled = openRequest(server.port, head(100), 'grant_type');
      await Promise.all([idle.connected, ...inFlight.map((r) => r.connected), stalled.connected]);
      await new Promise((r) => setTimeout(r, 300));

      const signalled = Date.now();
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      // No new connections once draining.
      await expect(fetch(`${server.base}/oauth/jwks`)).rejects.toThrow();
      for (const request of inFlight) request.socket.write(body.slice(20));

      const answers = await Promise.all(inFlight.map((r) => r.done));
      for (const raw of answers) {
        expect(status(raw)).toBe(200);
        expect(raw).toContain('"token_type":"Bearer"');
      }
      const exit = await server.exited;
      const took = Date.now() - signalled;
      expect(exit).toEqual({ code: 0, signal: null });
      // The stalled upload was cut at SHUTDOWN_TIMEOUT, not at REQUEST_TIMEOUT (30 s), and got no token.
      expect(took).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT * 1000 - 200);
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT * 1000 + 2_500);
      expect(status(await stalled.done)).not.toBe(200);
      expect(status(await idle.done)).toBe(200);
    },
  );

  it('exits at once when nothing is in flight, even with an idle keep-alive connection open', { timeout: 40_000 }, async () => {
    const server = await startServer({ STORAGE_PATH: temp.make(), SHUTDOWN_TIMEOUT: '10s' });
    const idle = openRequest(server.port, 'GET /oauth/jwks HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', '');
    await idle.connected;
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(status(await idle.done)).toBe(200);
  });
});
