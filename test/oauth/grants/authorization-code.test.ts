import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessTokenHash } from '../../../src/oauth/id-token.js';
import { s256Challenge } from '../../../src/oauth/pkce.js';
import { publicJwks } from '../../../src/oauth/signing-keys.js';
import { sha256 } from '../../../src/oauth/random-tokens.js';
import { testDatabases } from '../../helpers/services.js';
import type { CoreServices } from '../fixtures.js';
import {
  REDIRECT_URI,
  codeVerifier,
  confidentialClient,
  coreServices,
  insertCode,
  jwtPayload,
  oauthFailure,
  publicClient,
  registeredUser,
} from '../fixtures.js';

const PKCE_FAILED = 'Failed to verify `code_verifier`.';

describe.each(testDatabases())('authorization_code grant on $label', ({ label }) => {
  let core: CoreServices;
  beforeEach(async () => {
    core = await coreServices(label);
  });
  afterEach(() => core.close());

  const exchange = (params: Record<string, string>) =>
    core.services.tokens.exchange({ authorization: undefined, params: { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI, ...params } });

  async function confidentialSetup() {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core);
    return { user, client, secret, auth: { client_id: client.id, client_secret: secret } };
  }

  it('exchanges a code once for a token pair whose grant id is the code id', async () => {
    const { user, client, auth } = await confidentialSetup();
    const code = await insertCode(core, { client, user, scopes: ['users:read'] });
    const response = await exchange({ ...auth, code });
    expect(Object.keys(response)).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    const claims = jwtPayload(response.access_token);
    expect(claims).toMatchObject({ sub: String(user.id), aud: client.id, scopes: ['users:read'] });
    const stored = await core.storage.repositories.accessTokens.findById(String(claims.jti));
    expect(stored?.grantId).toBe(sha256(code));
    const refresh = await core.storage.repositories.refreshTokens.findById(sha256(response.refresh_token ?? ''));
    expect(refresh).toMatchObject({ accessTokenId: claims.jti, grantId: sha256(code), revoked: false });
  });

  it('revokes every token issued from a code that is presented twice (RFC 6749 §4.1.2)', async () => {
    const { user, client, auth } = await confidentialSetup();
    const code = await insertCode(core, { client, user });
    const first = await exchange({ ...auth, code });
    const replay = await oauthFailure(exchange({ ...auth, code }));
    expect(replay.toJSON()).toMatchObject({ error: 'invalid_grant', hint: 'Authorization code has been revoked' });
    expect(await core.services.tokens.authenticate(first.access_token)).toBeUndefined();
    const refresh = await core.storage.repositories.refreshTokens.findById(sha256(first.refresh_token ?? ''));
    expect(refresh?.revoked).toBe(true);
  });

  it('lets exactly one of two concurrent exchanges of a code succeed', async () => {
    const { user, client, auth } = await confidentialSetup();
    const code = await insertCode(core, { client, user });
    const results = await Promise.allSettled([exchange({ ...auth, code }), exchange({ ...auth, code })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('rejects expired, unknown and other clients’ codes with league hints', async () => {
    const { user, client, auth } = await confidentialSetup();
    const expired = await insertCode(core, { client, user, expiresInSeconds: -1 });
    expect((await oauthFailure(exchange({ ...auth, code: expired }))).toJSON()).toEqual({
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
      hint: 'Authorization code has expired',
      message:
        'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    });
    expect((await oauthFailure(exchange({ ...auth, code: 'no-such-code' }))).code).toBe('invalid_grant');
    const other = await confidentialClient(core);
    const stolen = await insertCode(core, { client: other.client, user });
    expect((await oauthFailure(exchange({ ...auth, code: stolen }))).hint).toBe('Authorization code was not issued to this client');
    expect((await oauthFailure(exchange({ ...auth }))).toJSON()).toMatchObject({ error: 'invalid_request', hint: 'Check the `code` parameter' });
  });

  it('requires the redirect_uri sent at authorize, identical', async () => {
    const { user, client, auth } = await confidentialSetup();
    const missing = await insertCode(core, { client, user });
    const params = { grant_type: 'authorization_code', ...auth, code: missing };
    const error = await oauthFailure(core.services.tokens.exchange({ authorization: undefined, params }));
    expect(error.toJSON()).toMatchObject({ error: 'invalid_request', hint: 'Check the `redirect_uri` parameter' });
    const different = await insertCode(core, { client, user });
    expect((await oauthFailure(exchange({ ...auth, code: different, redirect_uri: `${REDIRECT_URI}/` }))).toJSON()).toMatchObject({
      error: 'invalid_grant',
      hint: 'Invalid redirect URI',
    });
    // Omitted at authorize: the token request may omit it, or name the registered URI.
    const omitted = await insertCode(core, { client, user, redirectUri: null });
    await expect(exchange({ ...auth, code: omitted })).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('verifies S256 and plain PKCE and rejects a wrong or malformed verifier', async () => {
    const { user, client, auth } = await confidentialSetup();
    const verifier = codeVerifier();
    const s256 = await insertCode(core, { client, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    await expect(exchange({ ...auth, code: s256, code_verifier: verifier })).resolves.toMatchObject({ token_type: 'Bearer' });
    const plain = await insertCode(core, { client, user, codeChallenge: verifier, codeChallengeMethod: 'plain' });
    await expect(exchange({ ...auth, code: plain, code_verifier: verifier })).resolves.toMatchObject({ token_type: 'Bearer' });

    const wrong = await insertCode(core, { client, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    expect((await oauthFailure(exchange({ ...auth, code: wrong, code_verifier: codeVerifier() }))).toJSON()).toMatchObject({
      error: 'invalid_grant',
      hint: PKCE_FAILED,
    });
    // PKCE downgrade: the stored challenge was S256; sending the challenge itself as a plain verifier fails.
    const downgrade = await insertCode(core, { client, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    expect((await oauthFailure(exchange({ ...auth, code: downgrade, code_verifier: s256Challenge(verifier) }))).hint).toBe(PKCE_FAILED);
    const short = await insertCode(core, { client, user, codeChallenge: 'abc', codeChallengeMethod: 'plain' });
    expect((await oauthFailure(exchange({ ...auth, code: short, code_verifier: 'abc' }))).hint).toBe(PKCE_FAILED);
    const absent = await insertCode(core, { client, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    expect((await oauthFailure(exchange({ ...auth, code: absent }))).toJSON()).toMatchObject({
      error: 'invalid_request',
      hint: 'Check the `code_verifier` parameter',
    });
  });

  it('rejects a verifier for a code issued without a challenge (PKCE downgrade, RFC 9700 §2.1.1)', async () => {
    const { user, client, auth } = await confidentialSetup();
    const code = await insertCode(core, { client, user });
    expect((await oauthFailure(exchange({ ...auth, code, code_verifier: codeVerifier() }))).toJSON()).toMatchObject({
      error: 'invalid_grant',
      hint: PKCE_FAILED,
    });
  });

  it('lets a public client exchange with its client_id alone, but only with PKCE', async () => {
    const user = await registeredUser(core.services);
    const spa = await publicClient(core);
    const verifier = codeVerifier();
    const withPkce = await insertCode(core, { client: spa, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    await expect(exchange({ client_id: spa.id, code: withPkce, code_verifier: verifier })).resolves.toMatchObject({ token_type: 'Bearer' });
    const withoutPkce = await insertCode(core, { client: spa, user });
    const error = await oauthFailure(exchange({ client_id: spa.id, code: withoutPkce }));
    expect(error.code).toBe('invalid_grant');
    expect(error.hint).toMatch(/PKCE/);
  });

  it('answers scope openid with an ID token carrying nonce, auth_time and at_hash', async () => {
    const { user, client, auth } = await confidentialSetup();
    const code = await insertCode(core, { client, user, scopes: ['openid', 'email', 'profile'], nonce: 'n-0S6_WzA2Mj' });
    const response = await exchange({ ...auth, code });
    const keys = createLocalJWKSet(publicJwks(core.services.keys));
    const { payload, protectedHeader } = await jwtVerify(response.id_token ?? '', keys, { issuer: 'http://localhost:8000', audience: client.id });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: core.services.keys.active.kid });
    expect(payload).toMatchObject({
      sub: String(user.id),
      nonce: 'n-0S6_WzA2Mj',
      auth_time: expect.any(Number),
      at_hash: accessTokenHash(response.access_token, 'ES256'),
      email: user.email,
      email_verified: false,
      name: 'Ada Lovelace',
    });
  });

  it('refuses password clients (first party, as Passport) and the personal access client', async () => {
    const user = await registeredUser(core.services);
    const { client, secret } = await confidentialClient(core, { passwordClient: true });
    const code = await insertCode(core, { client, user });
    expect((await oauthFailure(exchange({ client_id: client.id, client_secret: secret, code }))).code).toBe('unauthorized_client');
  });
});
