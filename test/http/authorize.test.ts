import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, loginThroughForm } from '../helpers/cookie-jar.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const ISS = 'http%3A%2F%2Flocalhost%3A8000';
const PASSWORD = 'correct horse battery';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = s256Challenge(VERIFIER);
const INVALID_CLIENT = { error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' };
// Issue 6 defect 11: the page (and the hint) say what is wrong with a bad redirect URI.
const UNREGISTERED_REDIRECT = { ...INVALID_CLIENT, hint: 'The `redirect_uri` is not registered for this client' };

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params).toString()}`;
}

describe.each(databases)('GET /oauth/authorize: validation on %s', (database) => {
  let t: TestApp;
  let browser: InjectBrowser;
  let confidential: Client;
  let publicClient: Client;
  let revoked: Client;
  let single: Client;

  beforeAll(async () => {
    t = await createTestApp({ database });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    const clients = t.storage.repositories.clients;
    const secretHash = hashClientSecret('secret-secret-secret-secret-secret-secret', t.services.appKey);
    confidential = await clients.create({ userId: null, name: 'Third Party', secretHash, redirectUris: ['https://good.example/callback', 'https://good.example/other?tenant=1'] });
    publicClient = await clients.create({ userId: null, name: 'Native App', secretHash: null, redirectUris: ['http://127.0.0.1/callback'] });
    revoked = await clients.create({ userId: null, name: 'Revoked', secretHash, redirectUris: ['https://revoked.example/cb'] });
    await clients.revoke(revoked.id);
    single = await clients.create({ userId: null, name: 'Single', secretHash, redirectUris: ['https://single.example/cb'] });
    browser = new InjectBrowser(t.app);
    expect((await loginThroughForm(browser, 'ada@example.com', PASSWORD)).statusCode).toBe(302);
  });
  afterAll(() => t.close());

  const base = () => ({ client_id: confidential.id, redirect_uri: 'https://good.example/callback', response_type: 'code', state: 'xyz' });

  it('answers a JSON request without a session with 401, as the reference shows', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/oauth/authorize', headers: { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
  });

  it('never redirects for an unknown or revoked client, as JSON or as a page', async () => {
    for (const clientId of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', revoked.id]) {
      const url = authorizeUrl({ ...base(), client_id: clientId, redirect_uri: 'https://revoked.example/cb' });
      const json = await browser.get(url, { accept: 'application/json' });
      expect(json.statusCode).toBe(401);
      expect(json.headers.location).toBeUndefined();
      expect(json.json()).toEqual(INVALID_CLIENT);
      const page = await browser.get(url);
      expect(page.statusCode).toBe(401);
      expect(page.headers.location).toBeUndefined();
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Client authentication failed');
    }
    const missing = await browser.get(authorizeUrl({ response_type: 'code' }), { accept: 'application/json' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_id` parameter' });
  });

  it('never redirects to a redirect URI the client did not register', async () => {
    for (const uri of [
      'https://evil.example/callback',
      'https://good.example@evil.example',
      'https://good.example@evil.example/callback',
      'https://good.example/callback#fragment',
      'HTTPS://GOOD.EXAMPLE/callback',
      'https://good.example/callback/',
      'https://good.example/other?tenant=2',
      'javascript:alert(1)',
    ]) {
      const res = await browser.get(authorizeUrl({ ...base(), redirect_uri: uri }), { accept: 'application/json' });
      expect({ uri, status: res.statusCode, location: res.headers.location, body: res.json() }).toEqual({ uri, status: 401, location: undefined, body: UNREGISTERED_REDIRECT });
    }
    const page = await browser.get(authorizeUrl({ ...base(), redirect_uri: 'https://evil.example/callback' }));
    expect(page.statusCode).toBe(401);
    expect(page.body).toContain('The redirect address is not registered for this application');
    // Several registered URIs: one must be named.
    const omitted = await browser.get(authorizeUrl({ client_id: confidential.id, response_type: 'code' }), { accept: 'application/json' });
    expect(omitted.statusCode).toBe(400);
    expect(omitted.headers.location).toBeUndefined();
    expect(omitted.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `redirect_uri` parameter' });
    // client_id or redirect_uri given twice cannot be trusted either.
    const twice = await browser.get(`${authorizeUrl(base())}&redirect_uri=https%3A%2F%2Fevil.example`, { accept: 'application/json' });
    expect(twice.statusCode).toBe(400);
    expect(twice.headers.location).toBeUndefined();
  });

  it('uses the single registered redirect URI when none is sent', async () => {
    const res = await browser.get(authorizeUrl({ client_id: single.id, response_type: 'code', scope: 'users:read' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Single');
  });

  it('lets a loopback redirect URI use any port, nothing else (RFC 8252 §7.3)', async () => {
    const pkce = { code_challenge: CHALLENGE, code_challenge_method: 'S256', response_type: 'code', client_id: publicClient.id };
    const ok = await browser.get(authorizeUrl({ ...pkce, redirect_uri: 'http://127.0.0.1:51234/callback' }));
    expect(ok.statusCode).toBe(200);
    for (const uri of ['http://127.0.0.1:51234/evil', 'http://localhost:51234/callback', 'http://127.0.0.1:51234@evil.example/callback', 'https://127.0.0.1:51234/callback']) {
      const res = await browser.get(authorizeUrl({ ...pkce, redirect_uri: uri }), { accept: 'application/json' });
      expect({ uri, status: res.statusCode, location: res.headers.location }).toEqual({ uri, status: 401, location: undefined });
    }
  });

  it('sends the other errors back to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207)', async () => {
    const cases: { params: Record<string, string>; error: string; hint?: string }[] = [
      { params: { response_type: '' }, error: 'invalid_request', hint: 'Check the `response_type` parameter' },
      { params: { response_type: 'token' }, error: 'unsupported_response_type' },
      { params: { response_type: 'code id_token' }, error: 'unsupported_response_type' },
      { params: { scope: '*' }, error: 'invalid_scope', hint: 'Check the `*` scope' },
      { params: { scope: 'users:read *' }, error: 'invalid_scope', hint: 'Check the `*` scope' },
      { params: { scope: 'users:read nope' }, error: 'invalid_scope', hint: 'Check the `nope` scope' },
      { params: { code_challenge: CHALLENGE, code_challenge_method: 'S512' }, error: 'invalid_request' },
      { params: { code_challenge: 'too-short', code_challenge_method: 'S256' }, error: 'invalid_request' },
      { params: { prompt: 'select_account' }, error: 'invalid_request', hint: 'Check the `prompt` parameter' },
      { params: { prompt: 'none login' }, error: 'invalid_request', hint: 'Check the `prompt` parameter' },
    ];
    for (const { params, error, hint } of cases) {
      const res = await browser.get(authorizeUrl({ ...base(), ...params }));
      expect({ params, status: res.statusCode }).toEqual({ params, status: 302 });
      const location = new URL(String(res.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe('https://good.example/callback');
      expect(location.searchParams.get('state')).toBe('xyz');
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('iss')).toBe('http://localhost:8000');
      if (hint) expect(location.searchParams.get('hint')).toBe(hint);
      expect(location.searchParams.get('message')).toBe(location.searchParams.get('error_description'));
    }
    // The registered query is kept, and a repeated parameter is invalid_request.
    const twice = await browser.get(`${authorizeUrl({ ...base(), redirect_uri: 'https://good.example/other?tenant=1' })}&scope=a&scope=b`);
    expect(twice.headers.location).toBe(
      `https://good.example/other?tenant=1&state=xyz&error=invalid_request&error_description=The+request+is+missing+a+required+parameter%2C+includes+an+invalid+parameter+value%2C+includes+a+parameter+more+than+once%2C+or+is+otherwise+malformed.&hint=Check+the+%60scope%60+parameter&message=The+request+is+missing+a+required+parameter%2C+includes+an+invalid+parameter+value%2C+includes+a+parameter+more+than+once%2C+or+is+otherwise+malformed.&iss=${ISS}`,
    );
  });

  it('requires PKCE with S256 from public clients (RFC 9700 §2.1.1)', async () => {
    const params = { client_id: publicClient.id, redirect_uri: 'http://127.0.0.1:4000/callback', response_type: 'code', state: 's' };
    const none = new URL(String((await browser.get(authorizeUrl(params))).headers.location));
    expect(none.searchParams.get('error')).toBe('invalid_request');
    expect(none.searchParams.get('hint')).toBe('Code challenge must be provided for public clients');
    const plain = new URL(String((await browser.get(authorizeUrl({ ...params, code_challenge: VERIFIER, code_challenge_method: 'plain' }))).headers.location));
    expect(plain.searchParams.get('error')).toBe('invalid_request');
    const defaultPlain = new URL(String((await browser.get(authorizeUrl({ ...params, code_challenge: CHALLENGE }))).headers.location));
    expect(defaultPlain.searchParams.get('error')).toBe('invalid_request');
    const s256 = await browser.get(authorizeUrl({ ...params, code_challenge: CHALLENGE, code_challenge_method: 'S256' }));
    expect(s256.statusCode).toBe(200);
    // A confidential client may use plain, or no PKCE at all.
    expect((await browser.get(authorizeUrl({ ...base(), code_challenge: VERIFIER, code_challenge_method: 'plain' }))).statusCode).toBe(200);
    expect((await browser.get(authorizeUrl(base()))).statusCode).toBe(200);
  });

  it('omits state from responses when the request had none', async () => {
    const params: Record<string, string> = { ...base(), scope: 'nope' };
    delete params.state;
    const res = await browser.get(authorizeUrl(params));
    const location = new URL(String(res.headers.location));
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });
});
