import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import type { StoredUser } from '../../src/accounts/ports.js';
import { freePort } from '../helpers/free-port.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { testDatabases } from '../helpers/services.js';
import { bearer, machineToken, newUser, userToken } from '../helpers/user-fixtures.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'http://127.0.0.1/callback';
const UNAUTHENTICATED = { message: 'Unauthenticated.', status: 401 };

describe.each(testDatabases())('GET /oauth/userinfo on $label', ({ label: database }) => {
  let t: TestApp;
  let ada: StoredUser;
  let updatedAt: number;

  beforeAll(async () => {
    t = await createTestApp({ database });
    ada = await newUser(t, 'Ada');
    updatedAt = Math.floor(ada.updatedAt.getTime() / 1000);
  });
  afterAll(() => t.close());

  const userinfo = (headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
    t.app.inject({ method, url: '/oauth/userinfo', headers: { accept: 'application/json', ...headers } });

  it('answers `openid` with the subject alone', async () => {
    const res = await userinfo(bearer(await userToken(t, ada.id, ['openid'])));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ sub: String(ada.id) });
  });

  it('adds name and updated_at for `profile`, email and email_verified for `email` (OIDC Core §5.4)', async () => {
    expect((await userinfo(bearer(await userToken(t, ada.id, ['openid', 'profile'])))).json()).toEqual({ sub: String(ada.id), name: 'Ada', updated_at: updatedAt });
    expect((await userinfo(bearer(await userToken(t, ada.id, ['openid', 'email'])))).json()).toEqual({
      sub: String(ada.id),
      email: 'ada@example.com',
      email_verified: false,
    });
    const all = await userinfo(bearer(await userToken(t, ada.id, ['email', 'openid', 'profile', 'users:read'])));
    expect(all.body).toBe(JSON.stringify({ sub: String(ada.id), name: 'Ada', updated_at: updatedAt, email: 'ada@example.com', email_verified: false }));
  });

  it('answers POST too, with the header or the form body’s access_token (RFC 6750 §2.2)', async () => {
    const jwt = await userToken(t, ada.id, ['openid']);
    expect((await userinfo(bearer(jwt), 'POST')).json()).toEqual({ sub: String(ada.id) });
    const form = await t.app.inject({
      method: 'POST',
      url: '/oauth/userinfo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `access_token=${jwt}`,
    });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toEqual({ sub: String(ada.id) });
    const both = await t.app.inject({
      method: 'POST',
      url: '/oauth/userinfo',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(jwt), accept: 'application/json' },
      payload: `access_token=${jwt}`,
    });
    expect(both.statusCode).toBe(401);
  });

  it('answers 401 invalid_token without a valid user token', async () => {
    const cases: Record<string, string>[] = [
      {},
      bearer('not-a-jwt'),
      bearer(await machineToken(t, ['openid'])),
      { authorization: 'Basic abc' },
    ];
    for (const headers of cases) {
      const res = await userinfo(headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.json()).toEqual(UNAUTHENTICATED);
    }
    const revoked = await userToken(t, ada.id, ['openid']);
    await t.core.tokenService.revokeAccessToken(String(decodeJwt(revoked).jti));
    expect((await userinfo(bearer(revoked))).statusCode).toBe(401);
  });

  it('answers 403 insufficient_scope to a token without openid', async () => {
    const res = await userinfo(bearer(await userToken(t, ada.id, ['users:read', 'profile'])));
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expect(res.json()).toEqual({ message: 'Invalid scope(s) provided.', status: 403 });
  });

  it('is listed in discovery', async () => {
    const res = await t.app.inject({ url: '/.well-known/openid-configuration' });
    expect(res.json()).toMatchObject({ userinfo_endpoint: 'http://localhost:8000/oauth/userinfo' });
  });
});

describe('userinfo after a code flow with openid, through oauth4webapi over a real port', () => {
  let t: TestApp;
  let base: string;
  let as: oauth.AuthorizationServer;
  let app: Client;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base, TOKEN_RATE_LIMIT: '0' } });
    await newUser(t, 'Grace Hopper', 'grace@example.com');
    app = await t.storage.repositories.clients.create({ userId: null, name: 'Notes', secretHash: null, redirectUris: [REDIRECT] });
    await t.app.listen({ port, host: '127.0.0.1' });
    const issuer = new URL(base);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
  });
  afterAll(() => t.close());

  /** The user logs in and approves the consent page in a cookie-jar browser; returns the redirect to the client. */
  async function authorizeInBrowser(url: URL): Promise<URL> {
    const browser = new InjectBrowser(t.app);
    const path = `${url.pathname}${url.search}`;
    expect((await browser.get(path)).headers.location).toBe('/login');
    const login = await loginThroughForm(browser, 'grace@example.com', 'password123');
    expect(login.headers.location).toBe(path);
    const consent = await browser.get(path);
    expect(consent.statusCode).toBe(200);
    const fields: Record<string, string> = {};
    for (const name of ['_token', 'state', 'client_id', 'auth_token']) fields[name] = inputValue(consent.body, name) ?? '';
    const approved = await browser.post('/oauth/authorize', fields);
    expect(approved.statusCode).toBe(303);
    return new URL(String(approved.headers.location));
  }

  it('returns the claims of the ID token’s subject', async () => {
    expect(as.userinfo_endpoint).toBe(`${base}/oauth/userinfo`);
    const client: oauth.Client = { client_id: app.id, token_endpoint_auth_method: 'none' };
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(String(as.authorization_endpoint));
    url.search = new URLSearchParams({
      client_id: app.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid profile email',
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const params = oauth.validateAuthResponse(as, client, await authorizeInBrowser(url), oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
    const sub = oauth.getValidatedIdTokenClaims(tokens)?.sub ?? '';

    const info = await oauth.processUserInfoResponse(as, client, sub, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
    const grace = await t.storage.repositories.users.findByEmail('grace@example.com');
    expect(info).toEqual({
      sub: String(grace?.id),
      name: 'Grace Hopper',
      updated_at: Math.floor((grace?.updatedAt.getTime() ?? 0) / 1000),
      email: 'grace@example.com',
      email_verified: false,
    });

    // A client that checks the subject refuses another one.
    const other = await oauth.userInfoRequest(as, client, tokens.access_token, insecure);
    await expect(oauth.processUserInfoResponse(as, client, 'someone-else', other)).rejects.toThrow();
  });
});
