import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { confidentialClient, insertCode, registeredUser } from '../oauth/fixtures.js';
import { freePort } from '../helpers/free-port.js';

const REDIRECT = 'http://127.0.0.1/callback';

describe('a real OpenID client (openid-client) over a real port', () => {
  let t: TestApp;
  let issuer: URL;
  let machine: ClientWithSecret;
  let config: client.Configuration;

  beforeAll(async () => {
    const port = await freePort();
    issuer = new URL(`http://127.0.0.1:${port}`);
    t = await createTestApp({ env: { APP_URL: issuer.href, TOKEN_RATE_LIMIT: '0' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    machine = await confidentialClient(t, { redirectUris: [REDIRECT] });
    config = await client.discovery(issuer, machine.client.id, machine.secret, undefined, { execute: [client.allowInsecureRequests] });
  });
  afterAll(() => t.close());

  it('gets, introspects and revokes a client credentials token', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'users:read users:write' });
    // expiresIn() counts down from when the response arrived.
    expect(tokens.expiresIn()).toBeGreaterThan(3590);
    expect(tokens.expires_in).toBe(3600);
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      client_id: machine.client.id,
      scope: 'users:read users:write',
    });
    await client.tokenRevocation(config, tokens.access_token);
    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
  });

  it('completes the code flow with PKCE and refreshes', async () => {
    const user = await registeredUser(t.services);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const code = await insertCode(t, {
      client: machine.client,
      user,
      scopes: ['openid', 'profile'],
      redirectUri: REDIRECT,
      codeChallenge: await client.calculatePKCECodeChallenge(verifier),
      codeChallengeMethod: 'S256',
    });
    const callback = new URL(`${REDIRECT}?code=${code}&state=${state}&iss=${encodeURIComponent(config.serverMetadata().issuer)}`);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()).toMatchObject({ sub: String(user.id), name: 'Ada Lovelace', aud: machine.client.id });
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
