import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import type { Client } from '../../src/oauth/ports.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { basic, codeVerifier, confidentialClient, form, jwtPayload } from '../oauth/fixtures.js';

const NOTES = 'https://notes.example.com/mcp';
const FILES = 'https://files.example.com';
const SHORT = 'https://short.example.com/api';
const APP_URL = 'http://localhost:8000';
const PASSWORD = 'correct horse battery';

interface Tokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

/** RFC 8707: `resource` on every grant binds the token's audience; Authgate's own API takes only its own tokens. */
describe.each(testDatabases())('resource indicators (RFC 8707) on $label', ({ label }) => {
  let t: TestApp;
  let machine: ClientWithSecret;
  let webApp: ClientWithSecret;
  let browser: InjectBrowser;

  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0', OAUTH_PASSWORD_GRANT: 'true' } });
    for (const resource of [
      { uri: NOTES, name: 'Notes MCP', scopes: ['notes:read', 'notes:write'] },
      { uri: FILES, name: 'Files API', scopes: null },
      { uri: SHORT, name: 'Short-lived', scopes: ['short:use'], tokenTtl: 900 },
    ]) {
      expect((await t.services.resources.create(resource)).ok).toBe(true);
    }
    machine = await confidentialClient(t, { grantTypes: ['client_credentials'] });
    webApp = await confidentialClient(t, { redirectUris: ['https://app.example/cb'] });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
  });
  afterAll(() => t.close());

  /** A form with `resource` repeated, as RFC 8707 §2 sends several. */
  const token = (client: ClientWithSecret, params: Record<string, string>, resources: string[] = []) => {
    const body = new URLSearchParams(params);
    for (const resource of resources) body.append('resource', resource);
    return t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client.id, client.secret) },
    });
  };

  async function codeFor(client: Client, query: Record<string, string>, resources: string[]): Promise<{ code: string; verifier: string }> {
    const verifier = codeVerifier();
    const params = new URLSearchParams({
      client_id: client.id,
      redirect_uri: 'https://app.example/cb',
      response_type: 'code',
      code_challenge: s256Challenge(verifier),
      code_challenge_method: 'S256',
      // An earlier test's token may already cover these scopes: ask anyway.
      prompt: 'consent',
      ...query,
    });
    for (const resource of resources) params.append('resource', resource);
    const page = await browser.get(`/oauth/authorize?${params.toString()}`);
    expect(page.statusCode).toBe(200);
    const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(page.body, name) ?? '']));
    const approved = await browser.post('/oauth/authorize', fields);
    expect(approved.statusCode).toBe(303);
    return { code: new URL(String(approved.headers.location)).searchParams.get('code') ?? '', verifier };
  }

  const userCall = (accessToken: string) => t.app.inject({ url: '/api/user', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });

  describe('client credentials', () => {
    it('binds the token to the resource: aud is its URI, scopes limited to what it declares', async () => {
      const res = await token(machine, { grant_type: 'client_credentials', scope: 'notes:read' }, [NOTES]);
      expect(res.statusCode).toBe(200);
      expect(jwtPayload(res.json<Tokens>().access_token)).toMatchObject({ aud: NOTES, scopes: ['notes:read'], scope: 'notes:read' });
    });

    it('puts several resources in an aud list, and takes the shortest lifetime they ask for', async () => {
      const both = await token(machine, { grant_type: 'client_credentials', scope: 'notes:read' }, [NOTES, FILES]);
      expect(jwtPayload(both.json<Tokens>().access_token).aud).toEqual([NOTES, FILES]);
      const short = await token(machine, { grant_type: 'client_credentials', scope: 'short:use' }, [SHORT]);
      expect(short.json<Tokens>().expires_in).toBe(900);
      expect(jwtPayload(short.json<Tokens>().access_token).exp).toBe(Number(jwtPayload(short.json<Tokens>().access_token).iat) + 900);
    });

    it('answers an unknown or malformed resource with invalid_target', async () => {
      for (const resource of ['https://unknown.example.com', `${NOTES}#fragment`, 'not a uri', 'ftp://notes.example.com/mcp']) {
        expectOAuthError(await token(machine, { grant_type: 'client_credentials' }, [resource]), {
          status: 400,
          error: 'invalid_target',
          hint: 'Check the `resource` parameter',
        });
      }
    });

    it('refuses a scope the resource does not declare, and `*` for a resource', async () => {
      for (const scope of ['users:read', 'files:nope', '*']) {
        const res = await token(machine, { grant_type: 'client_credentials', scope }, [NOTES]);
        expectOAuthError(res, { status: 400, error: 'invalid_scope', hint: `Check the \`${scope}\` scope` });
      }
      // A resource declaring no scopes takes the server's declared ones.
      expect((await token(machine, { grant_type: 'client_credentials', scope: 'users:read' }, [FILES])).statusCode).toBe(200);
    });

    it('keeps Passport’s audience, the client id, without a resource', async () => {
      const res = await token(machine, { grant_type: 'client_credentials', scope: 'users:read' });
      expect(jwtPayload(res.json<Tokens>().access_token).aud).toBe(machine.client.id);
    });

    it('accepts resource as a JSON array too', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', scope: 'notes:read', resource: [NOTES, FILES] },
        headers: { authorization: basic(machine.client.id, machine.secret) },
      });
      expect(jwtPayload(res.json<Tokens>().access_token).aud).toEqual([NOTES, FILES]);
    });
  });

  describe('authorization code and refresh', () => {
    it('finds a path-less resource by either spelling and names it as registered (bug: `https://files.example.com/` was invalid_target)', async () => {
      // RFC 3986 §6.2.3: an empty path is `/`. FILES is registered without the slash.
      const res = await token(machine, { grant_type: 'client_credentials', scope: 'users:read' }, [`${FILES}/`]);
      expect(res.statusCode, res.body).toBe(200);
      expect(jwtPayload(res.json<Tokens>().access_token).aud).toBe(FILES);
      // Both spellings at once are one audience.
      const both = await token(machine, { grant_type: 'client_credentials', scope: 'users:read' }, [FILES, `${FILES}/`]);
      expect(jwtPayload(both.json<Tokens>().access_token).aud).toBe(FILES);
      // A code for one spelling is exchanged and refreshed with the other.
      const { code, verifier } = await codeFor(webApp.client, { scope: 'users:read' }, [`${FILES}/`]);
      const first = await token(webApp, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/cb' }, [FILES]);
      expect(first.statusCode, first.body).toBe(200);
      const refreshed = await token(webApp, { grant_type: 'refresh_token', refresh_token: first.json<Tokens>().refresh_token ?? '' }, [`${FILES}/`]);
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      expect(jwtPayload(refreshed.json<Tokens>().access_token).aud).toBe(FILES);
      // One resource, one registration; APP_URL/ is Authgate's own API.
      expect(await t.services.resources.create({ uri: `${FILES}/`, name: 'Files again' })).toEqual({ ok: false, problem: 'uri_taken' });
      expect(await t.services.resources.create({ uri: `${APP_URL}/`, name: 'Authgate' })).toEqual({ ok: false, problem: 'reserved_uri' });
      expect((await t.services.resources.find(`${FILES}/`))?.uri).toBe(FILES);
      // A path is not path-less: NOTES/ is another URI, and unknown.
      expectOAuthError(await token(machine, { grant_type: 'client_credentials' }, [`${NOTES}/`]), {
        status: 400,
        error: 'invalid_target',
        hint: 'Check the `resource` parameter',
      });
    });

    it('carries the resources of the authorization request into the token, and the token may narrow them', async () => {
      const { code, verifier } = await codeFor(webApp.client, { scope: 'notes:read users:read' }, [NOTES, FILES]);
      const res = await token(webApp, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/cb' }, [NOTES]);
      expect(res.statusCode).toBe(200);
      const claims = jwtPayload(res.json<Tokens>().access_token);
      // users:read is not a scope of the notes server: narrowing the audience narrows the scopes.
      expect(claims).toMatchObject({ aud: NOTES, scopes: ['notes:read'] });
    });

    it('refuses a resource at the token endpoint that the authorization did not name', async () => {
      const { code, verifier } = await codeFor(webApp.client, { scope: 'notes:read' }, [NOTES]);
      const res = await token(webApp, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/cb' }, [FILES]);
      expectOAuthError(res, { status: 400, error: 'invalid_target', hint: 'Check the `resource` parameter' });
    });

    it('answers an unknown resource on the authorization request with an invalid_target redirect', async () => {
      const params = new URLSearchParams({ client_id: webApp.client.id, redirect_uri: 'https://app.example/cb', response_type: 'code', state: 's1', resource: 'https://unknown.example.com' });
      const res = await browser.get(`/oauth/authorize?${params.toString()}`);
      expect(res.statusCode).toBe(302);
      const location = new URL(String(res.headers.location));
      expect(location.origin + location.pathname).toBe('https://app.example/cb');
      expect(location.searchParams.get('error')).toBe('invalid_target');
      expect(location.searchParams.get('state')).toBe('s1');
    });

    it('lets a refresh narrow the resources, never widen them', async () => {
      const { code, verifier } = await codeFor(webApp.client, { scope: 'notes:read' }, [NOTES, FILES]);
      const first = (await token(webApp, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/cb' })).json<Tokens>();
      expect(jwtPayload(first.access_token).aud).toEqual([NOTES, FILES]);
      const narrowed = await token(webApp, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }, [FILES]);
      expect(narrowed.statusCode).toBe(200);
      expect(jwtPayload(narrowed.json<Tokens>().access_token).aud).toBe(FILES);
      const widened = await token(webApp, { grant_type: 'refresh_token', refresh_token: narrowed.json<Tokens>().refresh_token ?? '' }, [NOTES]);
      expectOAuthError(widened, { status: 400, error: 'invalid_target', hint: 'Check the `resource` parameter' });
      // The failed request did not burn the refresh token.
      expect((await token(webApp, { grant_type: 'refresh_token', refresh_token: narrowed.json<Tokens>().refresh_token ?? '' })).statusCode).toBe(200);
    });

    it('refuses a resource on a refresh of a token that had none', async () => {
      const { code, verifier } = await codeFor(webApp.client, { scope: 'users:read' }, []);
      const first = (await token(webApp, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'https://app.example/cb' })).json<Tokens>();
      const res = await token(webApp, { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' }, [NOTES]);
      expectOAuthError(res, { status: 400, error: 'invalid_target', hint: 'Check the `resource` parameter' });
    });

    it('shows the resources on the consent page, by name', async () => {
      const params = new URLSearchParams({ client_id: webApp.client.id, redirect_uri: 'https://app.example/cb', response_type: 'code', scope: 'notes:read', resource: NOTES, prompt: 'consent' });
      const page = await browser.get(`/oauth/authorize?${params.toString()}`);
      expect(page.body).toContain('Notes MCP');
    });
  });

  describe('device code and password', () => {
    it('binds a device flow token to the resource asked for at /oauth/device/code', async () => {
      const device = await t.app.inject({
        method: 'POST',
        url: '/oauth/device/code',
        payload: `scope=notes%3Aread&resource=${encodeURIComponent(NOTES)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(webApp.client.id, webApp.secret) },
      });
      expect(device.statusCode).toBe(200);
      const { device_code, user_code } = device.json<{ device_code: string; user_code: string }>();
      const page = await browser.get(`/oauth/device?user_code=${user_code}`);
      const csrf = inputValue(page.body, '_token') ?? '';
      expect((await browser.post('/oauth/device', { _token: csrf, user_code, action: 'approve' })).statusCode).toBe(200);
      const res = await token(webApp, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code });
      expect(res.statusCode).toBe(200);
      expect(jwtPayload(res.json<Tokens>().access_token)).toMatchObject({ aud: NOTES, scopes: ['notes:read'] });
    });

    it('binds a password grant token to the resource', async () => {
      const passwordClient = await confidentialClient(t, { passwordClient: true });
      const res = await token(passwordClient, { grant_type: 'password', username: 'ada@example.com', password: PASSWORD, scope: 'notes:write' }, [NOTES]);
      expect(res.statusCode).toBe(200);
      expect(jwtPayload(res.json<Tokens>().access_token)).toMatchObject({ aud: NOTES, scopes: ['notes:write'] });
    });
  });

  describe("Authgate's own API", () => {
    async function userToken(resources: string[]): Promise<string> {
      const passwordClient = await confidentialClient(t, { passwordClient: true });
      const res = await token(passwordClient, { grant_type: 'password', username: 'ada@example.com', password: PASSWORD, scope: 'users:read' }, resources);
      expect(res.statusCode).toBe(200);
      return res.json<Tokens>().access_token;
    }

    it('accepts tokens for APP_URL and tokens without a resource (aud = client id)', async () => {
      expect((await userCall(await userToken([APP_URL]))).statusCode).toBe(200);
      expect((await userCall(await userToken([]))).statusCode).toBe(200);
    });

    it('refuses a token bound to another resource, with the Bearer challenge naming its metadata', async () => {
      const res = await userCall(await userToken([FILES]));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
      expect(res.headers['www-authenticate']).toBe(`Bearer error="invalid_token", resource_metadata="${APP_URL}/.well-known/oauth-protected-resource"`);
    });

    it('introspection reports the audience', async () => {
      const res = await token(machine, { grant_type: 'client_credentials', scope: 'notes:read' }, [NOTES]);
      const introspection = await t.app.inject({
        method: 'POST',
        url: '/oauth/introspect',
        payload: form({ token: res.json<Tokens>().access_token }).payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(machine.client.id, machine.secret) },
      });
      expect(introspection.json()).toMatchObject({ active: true, aud: NOTES, scope: 'notes:read' });
    });
  });
});
