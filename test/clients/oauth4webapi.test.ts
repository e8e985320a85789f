import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { confidentialClient, insertCode, registeredUser } from '../oauth/fixtures.js';
import { freePort } from '../helpers/free-port.js';

const REDIRECT = 'http://127.0.0.1/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe.each(testDatabases())('a real OAuth client (oauth4webapi) over a real port, on $label', ({ label }) => {
  let t: TestApp;
  let issuer: URL;
  let as: oauth.AuthorizationServer;
  let machine: ClientWithSecret;

  beforeAll(async () => {
    const port = await freePort();
    issuer = new URL(`http://127.0.0.1:${port}`);
    t = await createTestApp({ database: label, env: { APP_URL: issuer.href, TOKEN_RATE_LIMIT: '0' } });
    await t.app.listen({ port, host: '127.0.0.1' });
    machine = await confidentialClient(t, { redirectUris: [REDIRECT] });
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  });
  afterAll(() => t.close());

  const client = (): oauth.Client => ({ client_id: machine.client.id });

  it('discovers the server, by RFC 8414 and by OpenID Connect discovery', async () => {
    expect(as.issuer).toBe(issuer.href.replace(/\/$/, ''));
    expect(as.token_endpoint).toBe(`${as.issuer}/oauth/token`);
    const oidc = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    expect(oidc.id_token_signing_alg_values_supported).toEqual(['ES256']);
    expect(oidc.jwks_uri).toBe(`${as.issuer}/oauth/jwks`);
  });

  it('gets a client credentials token whose JWT validates against /oauth/jwks', async () => {
    const response = await oauth.clientCredentialsGrantRequest(as, client(), oauth.ClientSecretBasic(machine.secret), { scope: 'users:read' }, insecure);
    const result = await oauth.processClientCredentialsResponse(as, client(), response);
    expect(result.token_type).toBe('bearer');
    expect(result.refresh_token).toBeUndefined();

    const jwks = createRemoteJWKSet(new URL(as.jwks_uri ?? ''));
    const { payload, protectedHeader } = await jwtVerify(result.access_token, jwks, {
      issuer: as.issuer,
      audience: machine.client.id,
      typ: 'at+jwt',
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: t.services.keys.active.kid });
    expect(payload).toEqual({
      aud: machine.client.id,
      jti: expect.stringMatching(/^[0-9a-f]{80}$/),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
      sub: machine.client.id,
      scopes: ['users:read'],
      iss: as.issuer,
      client_id: machine.client.id,
      scope: 'users:read',
    });
    for (const claim of ['iat', 'nbf', 'exp'] as const) expect(Number.isInteger(payload[claim])).toBe(true);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);

    // A resource server using oauth4webapi's RFC 9068 validation accepts it too.
    const request = new Request('http://rs.example/api', { headers: { authorization: `Bearer ${result.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, machine.client.id, insecure);
    expect(claims.client_id).toBe(machine.client.id);
  });

  it('exchanges a code (with PKCE and an ID token), rotates the refresh token, introspects and revokes', async () => {
    const user = await registeredUser(t.services);
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const code = await insertCode(t, {
      client: machine.client,
      user,
      scopes: ['openid', 'email', 'users:read'],
      redirectUri: REDIRECT,
      codeChallenge: await oauth.calculatePKCECodeChallenge(verifier),
      codeChallengeMethod: 'S256',
      nonce,
    });
    const auth = oauth.ClientSecretPost(machine.secret);
    const callback = oauth.validateAuthResponse(as, client(), new URL(`${REDIRECT}?code=${code}&iss=${encodeURIComponent(as.issuer)}`), oauth.expectNoState);
    const codeResponse = await oauth.authorizationCodeGrantRequest(as, client(), auth, callback, REDIRECT, verifier, insecure);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client(), codeResponse, { expectedNonce: nonce, requireIdToken: true });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: String(user.id), email: user.email, nonce });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const rotated = await oauth.processRefreshTokenResponse(
      as,
      client(),
      await oauth.refreshTokenGrantRequest(as, client(), auth, tokens.refresh_token ?? '', insecure),
    );
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    const basic = oauth.ClientSecretBasic(machine.secret);
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, client(), await oauth.introspectionRequest(as, client(), basic, token, insecure));
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await introspect(rotated.access_token)).toMatchObject({
      active: true,
      client_id: machine.client.id,
      sub: String(user.id),
      username: user.email,
      scope: 'openid email users:read',
      token_type: 'Bearer',
    });

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client(), basic, rotated.refresh_token ?? '', insecure));
    expect(await introspect(rotated.access_token)).toEqual({ active: false });
    const afterRevocation = await oauth.refreshTokenGrantRequest(as, client(), auth, rotated.refresh_token ?? '', insecure);
    await expect(oauth.processRefreshTokenResponse(as, client(), afterRevocation)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'The refresh token is invalid.',
    });
  });

  it('reports a wrong client secret as the server words it', async () => {
    const viaHeader = await oauth.clientCredentialsGrantRequest(as, client(), oauth.ClientSecretBasic('wrong'), {}, insecure);
    expect(viaHeader.status).toBe(401);
    // oauth4webapi surfaces the RFC 6749 §5.2 challenge of a Basic-authenticated client.
    const challenge = await oauth.processClientCredentialsResponse(as, client(), viaHeader).catch((error: unknown) => error);
    expect(challenge).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((challenge as oauth.WWWAuthenticateChallengeError).cause).toEqual([{ scheme: 'basic', parameters: { realm: 'OAuth' } }]);
    const viaBody = await oauth.clientCredentialsGrantRequest(as, client(), oauth.ClientSecretPost('wrong'), {}, insecure);
    await expect(oauth.processClientCredentialsResponse(as, client(), viaBody)).rejects.toMatchObject({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
  });
});
