import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.js';
import { buildApp } from '../../src/http/app.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { BearerUser } from '../helpers/bearer-user.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { POSTGRES_URL, REDIS_URL } from '../helpers/services.js';

/**
 * The fast lane answers POST /oauth/token and GET /api/user before Fastify. It must answer
 * exactly as the Fastify routes do: the same application is served twice on real ports, with
 * and without the lane, and every request below is sent to both.
 */

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that differ between any two answers (or belong to the connection). */
const PER_ANSWER = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'content-length']);

interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | string[];
}

/** One request over Node's own client, so chunked bodies and exact headers can be sent. */
function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks = sent.body === undefined ? [] : [sent.body].flat();
    const headers: Record<string, string> = { ...sent.headers };
    // One string: a Content-Length body; several: chunked, written piece by piece.
    if (chunks.length === 1) headers['content-length'] = String(Buffer.byteLength(chunks[0]!));
    const req = httpRequest({ host: '127.0.0.1', port, method: sent.method ?? 'POST', path: sent.path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        req.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
      req.end();
    })();
  });
}

function comparable(answer: Answer) {
  const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !PER_ANSWER.has(name)));
  let body: unknown = answer.body;
  try {
    const json = JSON.parse(answer.body) as Record<string, unknown>;
    // Tokens differ from answer to answer; their presence and the rest of the answer must not.
    body = Object.fromEntries(Object.entries(json).map(([key, value]) => [key, key.endsWith('_token') ? typeof value : value]));
  } catch {
    // Not JSON: compared as text.
  }
  return { status: answer.status, headers, body, hasRequestId: /^[0-9a-f-]{36}$/.test(answer.headers['x-request-id'] ?? '') };
}

async function listen(app: App): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

interface Setup {
  label: string;
  corsOrigins: string;
  shared?: boolean;
}

/** SQLite with the memory cache under both CORS settings; PostgreSQL with Redis when both are configured. */
const setups: Setup[] = [
  { label: 'SQLite, CORS_ORIGINS=*', corsOrigins: '*' },
  { label: 'SQLite, CORS_ORIGINS listed', corsOrigins: 'https://app.example' },
  ...(POSTGRES_URL && REDIS_URL ? [{ label: 'PostgreSQL and Redis', corsOrigins: '*', shared: true }] : []),
];

describe.each(setups)('the fast lane answers as the Fastify routes ($label)', ({ corsOrigins, shared }) => {
  let t: TestApp;
  let plain: App;
  let lanePort: number;
  let plainPort: number;
  let basic: string;
  let clientId: string;
  let secret: string;
  let alice: BearerUser;
  let passwordBasic: string;
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

  beforeAll(async () => {
    t = await createTestApp({
      env: { TOKEN_RATE_LIMIT: '0', OAUTH_PASSWORD_GRANT: 'true', LOGIN_RATE_LIMIT: '0', CORS_ORIGINS: corsOrigins },
      ...(shared ? { database: 'postgres' as const, redis: true } : {}),
    });
    plain = await buildApp(t.services, { logger: false, fastLane: false });
    lanePort = await listen(t.app);
    plainPort = await listen(plain);
    const machine = await t.services.clients.register({ userId: null, name: 'Machine', redirectUris: [], confidential: true, kind: 'client_credentials' });
    clientId = machine.client.id;
    secret = machine.plainSecret!;
    basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    const passwordClient = await t.services.clients.register({ userId: null, name: 'App', redirectUris: [], confidential: true, kind: 'password' });
    passwordBasic = `Basic ${Buffer.from(`${passwordClient.client.id}:${passwordClient.plainSecret}`).toString('base64')}`;
    alice = await bearerUser(t, { name: 'Alice' });
  });
  afterAll(async () => {
    await plain.close();
    await t.close();
  });

  async function both(sent: Sent) {
    const viaLane = await send(lanePort, sent);
    const viaFastify = await send(plainPort, sent);
    expect(comparable(viaLane)).toEqual(comparable(viaFastify));
    return viaLane;
  }

  const tokenRequests: [string, () => Sent][] = [
    ['client credentials with HTTP Basic', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials' })],
    ['client credentials in the body', () => ({ path: '/oauth/token', headers: FORM, body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${secret}` })],
    ['a scope and an empty parameter', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&scope=&state=' })],
    ['a charset in the content type', () => ({ path: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', authorization: basic }, body: 'grant_type=client_credentials' })],
    ['a wrong secret (Basic)', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: `Basic ${Buffer.from(`${clientId}:nope`).toString('base64')}` }, body: 'grant_type=client_credentials' })],
    ['a wrong secret (body)', () => ({ path: '/oauth/token', headers: FORM, body: `grant_type=client_credentials&client_id=${clientId}&client_secret=nope` })],
    ['credentials twice', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${secret}` })],
    ['an unknown grant', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=magic' })],
    ['no grant type', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'scope=x' })],
    ['an unknown scope', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&scope=nothing-like-it' })],
    ['an unknown resource', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&resource=https%3A%2F%2Fnowhere.example%2F' })],
    ['a control character', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&scope=a%01b' })],
    ['a repeated parameter', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&grant_type=password' })],
    ["PHP's array syntax", () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials&scope[]=a&scope[]=b' })],
    ['a body in pieces', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: ['grant_type=client', '_credentials'] })],
    ['a JSON body', () => ({ path: '/oauth/token', headers: { 'content-type': 'application/json', authorization: basic }, body: '{"grant_type":"client_credentials"}' })],
    ['a malformed body', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: '%%%' })],
    ['a password grant', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: passwordBasic }, body: `grant_type=password&username=${encodeURIComponent(alice.user.email)}&password=password123` })],
    ['a wrong password', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: passwordBasic }, body: `grant_type=password&username=${encodeURIComponent(alice.user.email)}&password=wrong` })],
    ['an unknown refresh token', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: passwordBasic }, body: 'grant_type=refresh_token&refresh_token=nope' })],
    ['an unknown code', () => ({ path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=authorization_code&code=nope&redirect_uri=https%3A%2F%2Fx.example%2F' })],
  ];

  it.each(tokenRequests)('POST /oauth/token: %s', async (_name, request) => {
    await both(request());
  });

  it('issues tokens through the lane that the API accepts, each persisted', async () => {
    const answer = await send(lanePort, { path: '/oauth/token', headers: { ...FORM, authorization: passwordBasic }, body: `grant_type=password&username=${encodeURIComponent(alice.user.email)}&password=password123&scope=` });
    expect(answer.status).toBe(200);
    const token = JSON.parse(answer.body) as { access_token: string; refresh_token: string };
    expect(token.refresh_token).toEqual(expect.any(String));
    const me = await send(lanePort, { method: 'GET', path: '/api/user', headers: { authorization: `Bearer ${token.access_token}` } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ id: alice.user.id, email: alice.user.email });
    const introspection = await send(lanePort, { path: '/oauth/introspect', headers: { ...FORM, authorization: passwordBasic }, body: `token=${token.access_token}` });
    expect(JSON.parse(introspection.body)).toMatchObject({ active: true });
  });

  it('serves the next requests of a keep-alive connection after handing a body back to Fastify', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const bodies = ['grant_type=client_credentials&scope[]=a', 'grant_type=client_credentials', 'scope=a%01b', 'grant_type=client_credentials'];
    const statuses: number[] = [];
    for (const body of bodies) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: lanePort, method: 'POST', path: '/oauth/token', agent, headers: { ...FORM, authorization: basic, 'content-length': Buffer.byteLength(body) } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(body);
        }),
      );
    }
    agent.destroy();
    expect(statuses).toEqual([400, 200, 400, 200]);
  });

  it.each([
    ['a user token', () => ({ authorization: `Bearer ${alice.jwt}` })],
    ['a token that is not ours', () => ({ authorization: 'Bearer abc.def.ghi' })],
    ['a lower-case scheme', () => ({ authorization: `bearer ${alice.jwt}` })],
    ['no token', () => ({})],
    ['an Origin (CORS)', () => ({ authorization: `Bearer ${alice.jwt}`, origin: 'https://app.example' })],
    ['a page request', () => ({ authorization: 'Bearer nope', accept: 'text/html' })],
  ] as [string, () => Record<string, string>][])('GET /api/user: %s', async (_name, headers) => {
    await both({ method: 'GET', path: '/api/user', headers: headers() });
  });

  it('GET /api/user: a client-credentials token and a revoked token are refused as by the route', async () => {
    const issued = JSON.parse((await send(lanePort, { path: '/oauth/token', headers: { ...FORM, authorization: basic }, body: 'grant_type=client_credentials' })).body) as { access_token: string };
    const machine = await both({ method: 'GET', path: '/api/user', headers: { authorization: `Bearer ${issued.access_token}` } });
    expect(machine.status).toBe(401);

    const bob = await bearerUser(t, { name: 'Bob' });
    expect((await both({ method: 'GET', path: '/api/user', headers: { authorization: `Bearer ${bob.jwt}` } })).status).toBe(200);
    await t.services.tokens.revokeForUser(bob.user.id, bob.issued.record.id);
    const revoked = await both({ method: 'GET', path: '/api/user', headers: { authorization: `Bearer ${bob.jwt}` } });
    expect(revoked.status).toBe(401);
    expect(revoked.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});
