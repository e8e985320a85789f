import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { POSTGRES_URL, REDIS_URL } from '../helpers/services.js';

const setups = [
  { label: 'sqlite', database: 'sqlite' as const, redis: false },
  ...(POSTGRES_URL ? [{ label: 'postgres', database: 'postgres' as const, redis: false }] : []),
  ...(POSTGRES_URL && REDIS_URL ? [{ label: 'postgres + redis sessions', database: 'postgres' as const, redis: true }] : []),
];
const PASSWORD = 'correct horse battery';
const ISS = 'http%3A%2F%2Flocalhost%3A8000';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const DENIED =
  'error=access_denied&error_description=The+resource+owner+or+authorization+server+denied+the+request.&hint=The+user+denied+the+request&message=The+resource+owner+or+authorization+server+denied+the+request.';

function authorizeUrl(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params).toString()}`;
}

function consentFields(page: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of ['_token', 'state', 'client_id', 'auth_token']) fields[name] = inputValue(page, name) ?? '';
  return fields;
}

describe.each(setups)('the consent screen and its answers on $label', ({ database, redis }) => {
  let t: TestApp;
  let browser: InjectBrowser;
  let userId: number;
  let thirdParty: Client;
  let firstParty: Client;
  let publicClient: Client;

  beforeAll(async () => {
    t = await createTestApp({ database, redis, env: { OAUTH_SCOPES: JSON.stringify({ 'users:read': 'Read user <profiles>', 'users:write': 'Create users' }) } });
    userId = (await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD })).id;
    const clients = t.storage.repositories.clients;
    const secretHash = hashClientSecret('secret-secret-secret-secret-secret-secret', t.services.appKey);
    thirdParty = await clients.create({ userId: null, name: 'Photo <Printer>', secretHash, redirectUris: ['https://client.example/cb'] });
    firstParty = await clients.create({ userId: null, name: 'Our Own App', secretHash, redirectUris: ['https://own.example/cb'], skipsAuthorization: true });
    publicClient = await clients.create({ userId: null, name: 'Native', secretHash: null, redirectUris: ['http://127.0.0.1/cb'] });
    browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
  });
  afterAll(() => t.close());

  const request = (extra: Record<string, string> = {}) =>
    authorizeUrl({ client_id: thirdParty.id, redirect_uri: 'https://client.example/cb', response_type: 'code', scope: 'users:read users:write', state: 'st&te=1', ...extra });

  it('shows the client, each scope described, and forms carrying _token, state, client_id and auth_token', async () => {
    const res = await browser.get(request());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<strong>Photo &lt;Printer&gt;</strong>');
    expect(res.body).toContain('<li>Read user &lt;profiles&gt;</li>');
    expect(res.body).toContain('<li>Create users</li>');
    // Where the answer goes; an ordinary client has no "not verified" notice.
    expect(res.body).toContain('<p>After you answer, you will be sent to <strong>client.example</strong>.</p>');
    expect(res.body).not.toContain('role="note"');
    expect(res.body).toContain('<input type="hidden" name="_method" value="DELETE">');
    expect(res.body.match(/<form method="post" action="\/oauth\/authorize">/g)).toHaveLength(2);
    const fields = consentFields(res.body);
    expect(fields.state).toBe('st&te=1');
    expect(fields.client_id).toBe(thirdParty.id);
    expect(fields.auth_token).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(fields._token).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(browser.jar.last.get('laravel_token')).toBeDefined();
  });

  it('approves with 303 to the client: code, state and iss; the code is stored hashed with the request', async () => {
    const page = await browser.get(request({ nonce: 'n-1' }));
    const res = await browser.post('/oauth/authorize', consentFields(page.body));
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(new RegExp(`^https://client\\.example/cb\\?code=[A-Za-z0-9_-]{40,}&state=st%26te%3D1&iss=${ISS}$`));
    const code = new URL(location).searchParams.get('code') ?? '';
    const stored = await t.storage.repositories.authCodes.consume(sha256(code));
    expect(stored.status).toBe('consumed');
    if (stored.status !== 'consumed') return;
    expect(stored.record).toMatchObject({
      userId,
      clientId: thirdParty.id,
      scopes: ['users:read', 'users:write'],
      redirectUri: 'https://client.example/cb',
      codeChallenge: null,
      codeChallengeMethod: null,
      nonce: 'n-1',
    });
    expect(stored.record.authTime).toBeGreaterThan(Date.now() / 1000 - 120);
    const ttl = stored.record.expiresAt.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('uses the pending request once: a second answer is 403 and issues nothing', async () => {
    const page = await browser.get(request());
    const fields = consentFields(page.body);
    expect((await browser.post('/oauth/authorize', fields)).statusCode).toBe(303);
    const again = await browser.request({ method: 'POST', url: '/oauth/authorize', form: fields, headers: { accept: 'application/json' } });
    expect(again.statusCode).toBe(403);
    expect(again.json()).toEqual({ message: 'The provided auth token for the request is different from the session auth token.', status: 403 });
  });

  it('refuses a missing or wrong auth_token (403) and a wrong client_id, and issues no code', async () => {
    const page = await browser.get(request());
    const fields = consentFields(page.body);
    const bads: Record<string, string>[] = [{ auth_token: '' }, { auth_token: 'wrong' }, { client_id: publicClient.id }];
    for (const bad of bads) {
      const res = await browser.request({ method: 'POST', url: '/oauth/authorize', form: { ...fields, ...bad }, headers: { accept: 'application/json' } });
      expect(res.statusCode).toBe(403);
      expect(res.headers.location).toBeUndefined();
    }
    const { _token, ...withoutCsrf } = fields;
    expect(_token).toBeDefined();
    const noCsrf = await browser.request({ method: 'POST', url: '/oauth/authorize', form: withoutCsrf, headers: { accept: 'application/json' } });
    expect(noCsrf.statusCode).toBe(419);
    // The real answer still works afterwards.
    expect((await browser.post('/oauth/authorize', fields)).statusCode).toBe(303);
  });

  it('answers POST with a placeholder bearer and no session with 419, as the reference shows', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/authorize', headers: { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(419);
    expect(res.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
    const del = await t.app.inject({ method: 'DELETE', url: '/oauth/authorize', headers: { authorization: 'Bearer {token}', accept: 'application/json' } });
    expect(del.statusCode).toBe(419);
    // With a session and its token but nobody logged in: 401.
    const guest = new InjectBrowser(t.app);
    const login = await guest.get('/login');
    const unauth = await guest.request({ method: 'POST', url: '/oauth/authorize', form: { _token: inputValue(login.body, '_token') ?? '' }, headers: { accept: 'application/json' } });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
  });

  it('denies with 303 and access_denied, by POST with _method=DELETE or by DELETE', async () => {
    const page = await browser.get(request());
    const res = await browser.post('/oauth/authorize', { ...consentFields(page.body), _method: 'DELETE' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`https://client.example/cb?state=st%26te%3D1&${DENIED}&iss=${ISS}`);

    const again = await browser.get(request({ state: 'two' }));
    const del = await browser.request({ method: 'DELETE', url: '/oauth/authorize', form: consentFields(again.body) });
    expect(del.statusCode).toBe(303);
    expect(del.headers.location).toBe(`https://client.example/cb?state=two&${DENIED}&iss=${ISS}`);
    // Denied: nothing left to approve.
    expect((await browser.post('/oauth/authorize', consentFields(again.body))).statusCode).toBe(403);
  });

  it('approves a first-party client at once, unless prompt=consent', async () => {
    const url = authorizeUrl({ client_id: firstParty.id, response_type: 'code', scope: 'users:read', state: 'fp' });
    const res = await browser.get(url);
    expect(res.statusCode).toBe(302);
    expect(String(res.headers.location)).toMatch(new RegExp(`^https://own\\.example/cb\\?code=[^&]+&state=fp&iss=${ISS}$`));
    const code = new URL(String(res.headers.location)).searchParams.get('code') ?? '';
    const stored = await t.storage.repositories.authCodes.consume(sha256(code));
    // redirect_uri was omitted: the token request must omit it too.
    expect(stored.status === 'consumed' && stored.record.redirectUri).toBeNull();
    const consent = await browser.get(`${url}&prompt=consent`);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Our Own App');
  });

  it('approves at once when the user holds a live token of the client covering the scopes', async () => {
    const other = await t.storage.repositories.clients.create({ userId: null, name: 'Returning', secretHash: 'x', redirectUris: ['https://returning.example/cb'] });
    const url = (scope: string, extra = '') => authorizeUrl({ client_id: other.id, response_type: 'code', scope }) + extra;
    expect((await browser.get(url('users:read'))).statusCode).toBe(200);
    await t.core.tokenService.issueAccessToken({ clientId: other.id, userId, scopes: ['users:read'], ttlSeconds: 3600 });
    const again = await browser.get(url('users:read'));
    expect(again.statusCode).toBe(302);
    expect(String(again.headers.location)).toMatch(/^https:\/\/returning\.example\/cb\?code=/);
    // More than was granted: ask again. prompt=consent: ask anyway.
    expect((await browser.get(url('users:read users:write'))).statusCode).toBe(200);
    expect((await browser.get(url('users:read', '&prompt=consent'))).statusCode).toBe(200);
    // prompt=none cannot show the page.
    const none = await browser.get(url('users:write', '&prompt=none&state=q'));
    expect(none.headers.location).toBe(
      `https://returning.example/cb?state=q&error=consent_required&error_description=The+user+has+not+approved+this+client.&message=The+user+has+not+approved+this+client.&iss=${ISS}`,
    );
  });

  it('stores the PKCE challenge of a public client with the code', async () => {
    const challenge = s256Challenge(VERIFIER);
    const page = await browser.get(authorizeUrl({ client_id: publicClient.id, redirect_uri: 'http://127.0.0.1:9999/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(page.statusCode).toBe(200);
    // A loopback redirect (RFC 8252 §7.3) is an app on the user's own device.
    expect(page.body).toContain('you will be sent to <strong>127.0.0.1:9999</strong> (an app on this device).');
    const res = await browser.post('/oauth/authorize', consentFields(page.body));
    expect(res.statusCode).toBe(303);
    const location = new URL(String(res.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9999/cb');
    expect(location.searchParams.has('state')).toBe(false);
    const stored = await t.storage.repositories.authCodes.consume(sha256(location.searchParams.get('code') ?? ''));
    expect(stored.status === 'consumed' && stored.record).toMatchObject({ codeChallenge: challenge, codeChallengeMethod: 'S256', redirectUri: 'http://127.0.0.1:9999/cb' });
  });

  it('sends a visitor who is not logged in to the login page and back, or with prompt=none to the client with login_required', async () => {
    const guest = new InjectBrowser(t.app);
    const none = await guest.get(request({ prompt: 'none' }));
    expect(none.statusCode).toBe(302);
    expect(none.headers.location).toBe(
      `https://client.example/cb?state=st%26te%3D1&error=login_required&error_description=The+user+is+not+logged+in.&message=The+user+is+not+logged+in.&iss=${ISS}`,
    );
    // Also for a client that asks for JSON: prompt=none answers the client.
    const noneJson = await guest.get(request({ prompt: 'none' }), { accept: 'application/json' });
    expect(String(noneJson.headers.location)).toContain('error=login_required');

    const page = await guest.get(request());
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login');
    const login = await loginThroughForm(guest, 'ada@example.com', PASSWORD);
    expect(login.headers.location).toBe(request());
    const consent = await guest.get(String(login.headers.location));
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Photo &lt;Printer&gt;');
  });

  it('forces a fresh login for prompt=login, then continues to the consent screen', async () => {
    const user = new InjectBrowser(t.app);
    await loginThroughForm(user, 'ada@example.com', PASSWORD);
    const sessionBefore = user.jar.get('authgate_session');
    const url = request({ prompt: 'login' });
    const res = await user.get(url);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login');
    expect(user.jar.get('authgate_session')).not.toBe(sessionBefore);
    // Logged out now.
    expect((await user.get('/')).body).toContain('You are not logged in.');
    const login = await loginThroughForm(user, 'ada@example.com', PASSWORD);
    expect(login.headers.location).toBe(url);
    const consent = await user.get(url);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Authorization request');
    // The prompt was satisfied once: the same request again prompts again.
    expect((await user.get(url)).headers.location).toBe('/login');
  });
});

describe('the implicit grant (OAUTH_IMPLICIT_GRANT=true)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { OAUTH_IMPLICIT_GRANT: 'true' } });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('answers response_type=token with a token in the fragment', async () => {
    const client = await t.storage.repositories.clients.create({ userId: null, name: 'SPA', secretHash: 'x', redirectUris: ['https://spa.example/cb'] });
    const browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    const page = await browser.get(authorizeUrl({ client_id: client.id, response_type: 'token', scope: 'users:read', state: 'i' }));
    expect(page.statusCode).toBe(200);
    const res = await browser.post('/oauth/authorize', consentFields(page.body));
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(new RegExp(`^https://spa\\.example/cb#access_token=[^&]+&token_type=Bearer&expires_in=3600&state=i&iss=${ISS}$`));
    const token = new URLSearchParams(location.split('#')[1]).get('access_token') ?? '';
    const me = await t.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    // Errors go to the fragment too.
    const bad = await browser.get(authorizeUrl({ client_id: client.id, response_type: 'token', scope: '*', state: 'i' }));
    expect(String(bad.headers.location)).toMatch(/^https:\/\/spa\.example\/cb#state=i&error=invalid_scope/);
  });
});
