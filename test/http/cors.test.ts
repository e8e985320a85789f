import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { form } from '../oauth/fixtures.js';

const APP = 'https://app.example';
const OTHER = 'https://other.example';

/** The endpoints browser-based clients of other origins call. */
const PUBLIC_ENDPOINTS: [string, string][] = [
  ['POST', '/oauth/token'],
  ['POST', '/oauth/revoke'],
  ['POST', '/oauth/introspect'],
  ['POST', '/oauth/device/code'],
  ['POST', '/oauth/register'],
  ['PUT', '/oauth/register/0c2f8c7e-3c4b-4a51-9a43-2d6f0f1e5b10'],
  ['GET', '/oauth/userinfo'],
  ['GET', '/oauth/jwks'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/oauth-protected-resource'],
  ['GET', '/.well-known/oauth-protected-resource/mcp'],
];

/** Routes of the session: pages, the authorize endpoint, the management API, login and logout. */
const SESSION_ROUTES: [string, string][] = [
  ['GET', '/login'],
  ['POST', '/login'],
  ['POST', '/logout'],
  ['GET', '/dashboard'],
  ['GET', '/oauth/authorize'],
  ['GET', '/oauth/clients'],
  ['POST', '/oauth/clients'],
  ['GET', '/oauth/tokens'],
  ['POST', '/oauth/token/refresh'],
];

function preflight(t: TestApp, url: string, method: string, origin = APP) {
  return t.app.inject({
    method: 'OPTIONS',
    url,
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' },
  });
}

function expectNoCors(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) expect(name.startsWith('access-control-'), name).toBe(false);
}

describe('CORS with the default CORS_ORIGINS=*', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { OAUTH_DYNAMIC_REGISTRATION: 'open' } });
  });
  afterAll(() => t.close());

  it.each(PUBLIC_ENDPOINTS)('answers a preflight for %s %s with 204, any origin, the headers MCP clients send, and no credentials', async (method, url) => {
    const res = await preflight(t, url, method);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(String(res.headers['access-control-allow-methods']).split(', ')).toContain(method);
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, MCP-Protocol-Version');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('puts Access-Control-Allow-Origin on discovery, JWKS and token answers, and exposes WWW-Authenticate', async () => {
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/oauth/jwks']) {
      const res = await t.app.inject({ url, headers: { origin: APP } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const body = form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' });
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, origin: APP } });
    expect(token.statusCode).toBe(401);
    expect(token.headers['access-control-allow-origin']).toBe('*');
    // A browser client reads the challenge of a refused bearer token.
    const userinfo = await t.app.inject({ url: '/oauth/userinfo', headers: { origin: APP, authorization: 'Bearer nope' } });
    expect(userinfo.statusCode).toBe(401);
    expect(userinfo.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(userinfo.headers['access-control-allow-origin']).toBe('*');
    expect(String(userinfo.headers['access-control-expose-headers']).split(', ')).toContain('WWW-Authenticate');
  });

  it.each(SESSION_ROUTES)('sends no CORS header for %s %s, to a preflight or a request', async (method, url) => {
    const pre = await preflight(t, url, method);
    expectNoCors(pre.headers);
    expect(pre.statusCode).toBe(405);
    const res = await t.app.inject({ method: method as 'GET', url, headers: { origin: OTHER, accept: 'application/json' } });
    expectNoCors(res.headers);
  });

  it('gives /api/* no CORS unless origins are listed', async () => {
    const user = await bearerUser(t);
    const res = await t.app.inject({ url: '/api/user', headers: { ...user.headers, origin: APP } });
    expect(res.statusCode).toBe(200);
    expectNoCors(res.headers);
    expectNoCors((await preflight(t, '/api/user', 'GET')).headers);
  });

  it('keeps 405 with Allow (and the request id) for an OPTIONS request that is not a preflight, and 404 for unknown paths', async () => {
    const plain = await t.app.inject({ method: 'OPTIONS', url: '/oauth/token' });
    expect(plain.statusCode).toBe(405);
    expect(plain.headers.allow).toBe('POST');
    expect(plain.json()).toEqual({ message: 'The OPTIONS method is not supported for route oauth/token. Supported methods: POST.', status: 405 });
    expect(plain.headers['x-request-id']).toEqual(expect.any(String));
    expectNoCors(plain.headers);
    const unknown = await preflight(t, '/no/such/path', 'GET');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ message: 'The route no/such/path could not be found.', status: 404 });
    expectNoCors(unknown.headers);
  });
});

describe('CORS with CORS_ORIGINS listing origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: `${APP}, http://localhost:5173` } });
  });
  afterAll(() => t.close());

  it('echoes a listed origin (with Vary: Origin) and gives another origin no CORS header', async () => {
    const allowed = await preflight(t, '/oauth/token', 'POST');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(APP);
    expect(String(allowed.headers.vary)).toContain('Origin');
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    const local = await t.app.inject({ url: '/oauth/jwks', headers: { origin: 'http://localhost:5173' } });
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:5173');

    const refused = await preflight(t, '/oauth/token', 'POST', OTHER);
    expectNoCors(refused.headers);
    const get = await t.app.inject({ url: '/oauth/jwks', headers: { origin: OTHER } });
    expect(get.statusCode).toBe(200);
    expectNoCors(get.headers);
  });

  it('opens /api/* to listed origins, without credentials, and still never the session routes', async () => {
    const user = await bearerUser(t);
    const res = await t.app.inject({ url: '/api/user', headers: { ...user.headers, origin: APP } });
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await preflight(t, '/api/user', 'GET')).statusCode).toBe(204);
    expectNoCors((await t.app.inject({ url: '/api/user', headers: { ...user.headers, origin: OTHER } })).headers);
    for (const [method, url] of SESSION_ROUTES) {
      expectNoCors((await preflight(t, url, method)).headers);
      expectNoCors((await t.app.inject({ method: method as 'GET', url, headers: { ...user.headers, origin: APP } })).headers);
    }
  });

  it('leaves the registration endpoint closed when dynamic registration is off', async () => {
    const res = await preflight(t, '/oauth/register', 'POST');
    expect(res.statusCode).toBe(404);
    expectNoCors(res.headers);
  });
});
