import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import { freePort } from '../helpers/free-port.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/services.js';
import { newUser } from '../helpers/user-fixtures.js';
import { DEVICE_GRANT, USER_CODE, answerThroughPages, loggedInBrowser } from './device-helpers.js';

const SECRET = 'device-flow-secret-device-flow-secret-0000';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** The OAuth error a processed response threw, for asserting its code. */
async function oauthErrorOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof oauth.ResponseBodyError ? error.error : String(error);
  }
}

describe.each(testDatabases())('the device flow with oauth4webapi over a real port on $label', ({ label: database }) => {
  let t: TestApp;
  let base: string;
  let as: oauth.AuthorizationServer;
  let tv: Client;
  let console_: Client;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ database, env: { APP_URL: base, TOKEN_RATE_LIMIT: '0' } });
    await newUser(t, 'Ada');
    tv = await t.storage.repositories.clients.create({ userId: null, name: 'Living Room TV', secretHash: null, redirectUris: [] });
    console_ = await t.storage.repositories.clients.create({ userId: null, name: 'Console', secretHash: hashClientSecret(SECRET, t.services.appKey), redirectUris: [] });
    await t.app.listen({ port, host: '127.0.0.1' });
    const issuer = new URL(base);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => t.close());

  it('discovers the device authorization endpoint and the grant', () => {
    expect(as.device_authorization_endpoint).toBe(`${base}/oauth/device/code`);
    expect(as.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('a public client polls while the user approves on the page, then gets tokens that work', async () => {
    const client: oauth.Client = { client_id: tv.id, token_endpoint_auth_method: 'none' };
    const started = await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'users:read' }, insecure);
    const authorization = await oauth.processDeviceAuthorizationResponse(as, client, started);
    expect(authorization.user_code).toMatch(USER_CODE);
    expect(authorization.verification_uri).toBe(`${base}/oauth/device`);
    expect(authorization.verification_uri_complete).toBe(`${base}/oauth/device?user_code=${authorization.user_code}`);
    expect(authorization.expires_in).toBe(600);
    expect(authorization.interval).toBe(5);

    const pollOnce = async () =>
      oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), authorization.device_code, insecure));
    expect(await oauthErrorOf(pollOnce())).toBe('authorization_pending');
    expect(await oauthErrorOf(pollOnce())).toBe('slow_down');

    const browser = await loggedInBrowser(t, 'ada@example.com');
    const done = await answerThroughPages(browser, authorization.user_code, 'approve');
    expect(done.statusCode).toBe(200);

    const tokens = await pollOnce();
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const me = await fetch(`${base}/api/user`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'Ada', email: 'ada@example.com' });

    // The refresh token rotates as any other.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), String(tokens.refresh_token), insecure),
    );
    expect(refreshed.access_token).not.toBe(tokens.access_token);

    expect(await oauthErrorOf(pollOnce())).toBe('invalid_grant');
  });

  it('a confidential client authenticating with HTTP Basic is told access_denied when the user denies', async () => {
    const client: oauth.Client = { client_id: console_.id };
    const auth = oauth.ClientSecretBasic(SECRET);
    const authorization = await oauth.processDeviceAuthorizationResponse(as, client, await oauth.deviceAuthorizationRequest(as, client, auth, {}, insecure));
    await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), authorization.user_code, 'deny');
    const response = await oauth.deviceCodeGrantRequest(as, client, auth, authorization.device_code, insecure);
    expect(response.status).toBe(400);
    expect(await oauthErrorOf(oauth.processDeviceCodeResponse(as, client, response))).toBe('access_denied');
  });

  it('an ID token for openid validates in oauth4webapi', async () => {
    const client: oauth.Client = { client_id: tv.id, token_endpoint_auth_method: 'none' };
    const authorization = await oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: 'openid email' }, insecure),
    );
    await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), authorization.user_code, 'approve');
    const tokens = await oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, oauth.None(), authorization.device_code, insecure));
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims).toMatchObject({ iss: base, aud: tv.id, email: 'ada@example.com', email_verified: false });
  });
});
