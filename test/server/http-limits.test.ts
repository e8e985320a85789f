import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/listen.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { freePort } from '../helpers/free-port.js';

/** Sends `request` on a raw connection; resolves with everything the server wrote and when it closed. */
function rawExchange(host: string, port: number, request: string): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host, port }, () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    // Never hang the test: a connection the server forgot is a failure, seen in the assertions.
    socket.setTimeout(8_000, () => socket.destroy());
  });
}

function parse(text: string) {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: body === '' ? undefined : (JSON.parse(body) as unknown) };
}

/**
 * Issue 6 defect 6: a POST declaring Content-Length: 100 that sent 10 bytes stayed open for
 * 320 s. Defect 10: requests Node's parser refused got Fastify's `{"error":"Bad Request"}`
 * without X-Request-Id. Checked on both loopback addresses HOST=localhost serves.
 */
describe('timeouts and parser errors on a real socket (REQUEST_TIMEOUT=1)', () => {
  let t: TestApp;
  let port: number;
  let siblings: Server[];
  let addresses: string[];

  beforeAll(async () => {
    t = await createTestApp({ env: { REQUEST_TIMEOUT: '1' } });
    port = await freePort();
    const listening = await listen(t.app, { host: 'localhost', port, requestTimeout: 1 });
    siblings = listening.siblings;
    addresses = listening.urls.map((url) => new URL(url).hostname.replace(/^\[|\]$/g, ''));
  });
  afterAll(async () => {
    for (const server of siblings ?? []) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    await t?.close();
  });

  it('listens on 127.0.0.1 and ::1 for HOST=localhost', () => {
    expect(addresses).toEqual(['127.0.0.1', '::1']);
  });

  it('answers a stalled request body with 408 and closes the connection within the request timeout', async () => {
    for (const host of addresses) {
      const head = `POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n`;
      const { text, ms } = await rawExchange(host, port, `${head}grant_type`);
      const res = parse(text);
      expect({ host, status: res.status, body: res.body }).toEqual({ host, status: 408, body: { message: 'Request Timeout.', status: 408 } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3_500);
    }
  });

  it('answers headers that never end with 408 too', async () => {
    const { text, ms } = await rawExchange('127.0.0.1', port, 'GET /oauth/jwks HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(parse(text).status).toBe(408);
    expect(ms).toBeLessThan(3_500);
  });

  it('answers what the HTTP parser refuses in the documented error shape, with a request id', async () => {
    const cases: [string, number, string][] = [
      ['GET /oauth/jwks HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n', 400, 'Bad Request.'],
      ['GARBAGE\r\n\r\n', 400, 'Bad Request.'],
      ['GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400, 'Bad Request.'],
      [`GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request Header Fields Too Large.'],
    ];
    for (const host of addresses) {
      for (const [request, status, message] of cases) {
        const res = parse((await rawExchange(host, port, request)).text);
        expect({ host, request: request.slice(0, 40), status: res.status, body: res.body }).toEqual({ host, request: request.slice(0, 40), status, body: { message, status } });
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      }
    }
  });

  it('still serves ordinary requests on both addresses', async () => {
    for (const host of addresses) {
      const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/oauth/jwks`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
