import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { BearerUser } from '../helpers/bearer-user.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { InjectBrowser, inputValue } from '../helpers/cookie-jar.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import { checksums, tableNames } from '../helpers/table-checksum.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { basic, confidentialClient, form } from '../oauth/fixtures.js';

const NUL = '\u0000';

/**
 * Regression: on PostgreSQL a NUL byte in almost any string field was a 500 (`invalid byte
 * sequence for encoding "UTF8": 0x00`) on 20 of 24 routes; SQLite stored it inside names. One
 * rule now, on both databases: control characters and lone surrogates are refused at the edge
 * (422, or OAuth invalid_request), and nothing is written.
 */
describe.each(testDatabases())('control characters in input on $label', ({ label }) => {
  let t: TestApp;
  let alice: BearerUser;
  let machine: ClientWithSecret;
  const json = { accept: 'application/json' };
  const formatInvalid = (field: string) => ({
    message: `The ${field.replace(/_/g, ' ')} field format is invalid.`,
    errors: { [field]: [`The ${field.replace(/_/g, ' ')} field format is invalid.`] },
    status: 422,
  });

  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0', REGISTER_RATE_LIMIT: '0', LOGIN_RATE_LIMIT: '0' } });
    alice = await bearerUser(t);
    machine = await confidentialClient(t);
  });
  afterAll(() => t.close());

  /** Runs the request and checks that no table changed (sessions aside: visiting a page may start one). */
  async function unchanged<T>(request: () => Promise<T>): Promise<T> {
    const tables = (await tableNames(t.storage.database)).filter((table) => table !== 'sessions');
    const before = await checksums(t.storage.database, tables);
    const result = await request();
    expect(await checksums(t.storage.database, tables)).toEqual(before);
    return result;
  }

  const post = (url: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
    const body = form(params);
    return unchanged(() => t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } }));
  };

  it.each([
    ['/oauth/token', { grant_type: 'client_credentials', client_id: `a${NUL}b`, client_secret: 'x' }, 'client_id'],
    ['/oauth/token', { grant_type: `client${NUL}credentials` }, 'grant_type'],
    ['/oauth/revoke', { client_id: `a${NUL}b`, token: 'x' }, 'client_id'],
    ['/oauth/introspect', { client_id: `a${NUL}b`, token: 'x' }, 'client_id'],
    ['/oauth/device/code', { client_id: `a${NUL}b` }, 'client_id'],
  ])('POST %s with a NUL byte is an OAuth invalid_request', async (url, params, field) => {
    expectOAuthError(await post(url, params), { status: 400, error: 'invalid_request', hint: `Check the \`${field}\` parameter` });
  });

  it('POST /oauth/token: a NUL byte in a token or code is invalid_request, with the client authenticated', async () => {
    const headers = { authorization: basic(machine.client.id, machine.secret) };
    const res = await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: `x${NUL}` }, headers);
    expectOAuthError(res, { status: 400, error: 'invalid_request', hint: 'Check the `refresh_token` parameter' });
  });

  it('GET /oauth/authorize with a NUL client_id is invalid_request, shown and never redirected', async () => {
    const res = await unchanged(() => t.app.inject({ url: `/oauth/authorize?response_type=code&client_id=%00` }));
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it.each([
    ['POST', '/api/users', { name: `Bob${NUL}`, email: 'bob@example.com', password: 'password123', password_confirmation: 'password123' }, 'name'],
    ['POST', '/api/users', { name: 'Bob', email: `bob${NUL}@example.com`, password: 'password123', password_confirmation: 'password123' }, 'email'],
    ['POST', '/api/login', { email: `x${NUL}@example.com`, password: 'password123' }, 'email'],
    ['POST', '/api/v1/user/store', { name: `Carol${NUL}`, email: 'carol@example.com', password: 'password123' }, 'name'],
    ['POST', '/oauth/clients', { name: `App${NUL}`, redirect: 'https://app.example/cb' }, 'name'],
    ['POST', '/oauth/personal-access-tokens', { name: `CLI${NUL}` }, 'name'],
  ] as const)('%s %s with a NUL byte in %s is a 422 and writes nothing', async (method, url, payload, field) => {
    const res = await unchanged(() => t.app.inject({ method, url, payload, headers: { ...json, ...alice.headers } }));
    expect(res.statusCode).toBe(422);
    // An email with a NUL byte already fails the email rule; any other field fails the format rule.
    if (field === 'email') expect(res.json().errors).toEqual({ email: ['The email field must be a valid email address.'] });
    else expect(res.json()).toEqual(formatInvalid(field));
  });

  it('POST /api/login with a NUL byte in device_name, and a lone surrogate in a name, are 422', async () => {
    const login = await unchanged(() =>
      t.app.inject({ method: 'POST', url: '/api/login', payload: { email: alice.user.email, password: 'password123', device_name: `phone${NUL}` }, headers: json }),
    );
    expect(login.json()).toEqual(formatInvalid('device_name'));
    const surrogate = await unchanged(() =>
      t.app.inject({ method: 'POST', url: '/api/users', headers: json, payload: { name: 'Bob \ud800', email: 'bob@example.com', password: 'password123', password_confirmation: 'password123' } }),
    );
    expect(surrogate.json()).toEqual(formatInvalid('name'));
  });

  it('GET /api/users?name= with a NUL byte, in the query or in the JSON body, is a 422', async () => {
    const query = await unchanged(() => t.app.inject({ url: '/api/users?name=a%00b', headers: { ...json, ...alice.headers } }));
    expect(query.statusCode).toBe(422);
    expect(query.json()).toEqual(formatInvalid('name'));
    const body = await unchanged(() =>
      t.app.inject({ url: '/api/users', headers: { ...json, ...alice.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ name: `a${NUL}` }) }),
    );
    expect(body.statusCode).toBe(422);
  });

  it('a NUL byte in a path names nothing: 404 for clients, tokens and personal access tokens', async () => {
    for (const [method, url] of [
      ['PUT', '/oauth/clients/a%00b'],
      ['DELETE', '/oauth/clients/a%00b'],
      ['DELETE', '/oauth/tokens/a%00b'],
      ['DELETE', '/oauth/personal-access-tokens/a%00b'],
    ] as const) {
      const res = await unchanged(() => t.app.inject({ method, url, headers: { ...json, ...alice.headers }, payload: { name: 'x', redirect: 'https://app.example/cb' } }));
      expect(res.statusCode).toBe(404);
    }
  });

  it('the login and registration forms refuse a NUL byte with a 422 and write nothing', async () => {
    const browser = new InjectBrowser(t.app);
    const page = await browser.get('/login');
    const token = inputValue(page.body, '_token') ?? '';
    const login = await unchanged(() => browser.post('/login', { _token: token, email: `a${NUL}@example.com`, password: 'password123' }));
    expect(login.statusCode).toBe(422);
    const register = await unchanged(() =>
      browser.post('/register', { _token: token, name: `Eve${NUL}`, email: 'eve@example.com', password: 'password123', password_confirmation: 'password123' }),
    );
    expect(register.statusCode).toBe(422);
  });
});
