import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { inputValue } from '../helpers/cookie-jar.js';
import { FetchBrowser } from '../helpers/fetch-browser.js';
import { freePort } from '../helpers/free-port.js';
import { POSTGRES_URL, REDIS_URL } from '../helpers/services.js';

const setups = [
  { label: 'sqlite', database: 'sqlite' as const, redis: false },
  ...(POSTGRES_URL && REDIS_URL ? [{ label: 'postgres + redis sessions', database: 'postgres' as const, redis: true }] : []),
];
const PASSWORD = 'correct horse battery';
const SECRET = 'flow-secret-flow-secret-flow-secret-flow-secret';
const insecure = { [oauth.allowInsecureRequests]: true };


describe.each(setups)('the authorization code flow with PKCE over a real port on $label', ({ database, redis }) => {
  let t: TestApp;
  let base: string;
  let as: oauth.AuthorizationServer;
  let confidential: Client;
  let publicClient: Client;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ database, redis, env: { APP_URL: base } });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    const clients = t.storage.repositories.clients;
    confidential = await clients.create({ userId: null, name: 'Web App', secretHash: hashClientSecret(SECRET, t.services.appKey), redirectUris: ['https://app.example/callback'] });
    publicClient = await clients.create({ userId: null, name: 'CLI', secretHash: null, redirectUris: ['http://127.0.0.1/callback'] });
    await t.app.listen({ port, host: '127.0.0.1' });
    const issuer = new URL(base);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => t.close());

  /** Logs in on the way and approves the consent screen, as a user would; returns the callback URL. */
  async function authorize(url: URL): Promise<URL> {
    const browser = new FetchBrowser(base);
    const first = await browser.follow(await browser.request(url.href));
    expect(first.leftTo?.href).toBeUndefined();
    expect(first.response.status).toBe(200);
    const loginPage = await first.response.text();
    expect(loginPage).toContain('Log in');
    const loggedIn = await browser.request('/login', { method: 'POST', form: { _token: inputValue(loginPage, '_token') ?? '', email: 'ada@example.com', password: PASSWORD } });
    const consent = await browser.follow(loggedIn);
    // A user already holding a live token of this client for these scopes is not asked again.
    if (consent.leftTo) return consent.leftTo;
    expect(consent.response.status).toBe(200);
    const page = await consent.response.text();
    expect(page).toContain('Authorization request');
    const fields: Record<string, string> = {};
    for (const name of ['_token', 'state', 'client_id', 'auth_token']) fields[name] = inputValue(page, name) ?? '';
    const approved = await browser.follow(await browser.request('/oauth/authorize', { method: 'POST', form: fields }));
    expect(approved.response.status).toBe(303);
    expect(approved.leftTo).toBeDefined();
    return approved.leftTo as URL;
  }

  it('issues tokens to a confidential client with S256 PKCE, state and iss checked by oauth4webapi', async () => {
    const client: oauth.Client = { client_id: confidential.id };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(String(as.authorization_endpoint));
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: 'https://app.example/callback',
      response_type: 'code',
      scope: 'users:read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const callback = await authorize(url);
    expect(callback.searchParams.get('iss')).toBe(base);
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(SECRET), params, 'https://app.example/callback', verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope ?? 'users:read').toBe('users:read');

    const me = await fetch(`${base}/api/user`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'ada@example.com' });

    // RFC 6749 §4.1.2: the code is single use.
    const replay = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretPost(SECRET), params, 'https://app.example/callback', verifier, insecure);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('issues tokens to a public client on a loopback port, and refuses a wrong verifier', async () => {
    const client: oauth.Client = { client_id: publicClient.id, token_endpoint_auth_method: 'none' };
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const run = async () => {
      const verifier = oauth.generateRandomCodeVerifier();
      const url = new URL(String(as.authorization_endpoint));
      url.search = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      const callback = await authorize(url);
      return { verifier, params: oauth.validateAuthResponse(as, client, callback, oauth.expectNoState) };
    };
    const good = await run();
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), good.params, redirectUri, good.verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    expect(tokens.access_token).toEqual(expect.any(String));

    const bad = await run();
    const wrong = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), bad.params, redirectUri, oauth.generateRandomCodeVerifier(), insecure);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', hint: 'Failed to verify `code_verifier`.' });
  });
});
