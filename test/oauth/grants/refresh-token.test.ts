import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '../../../src/oauth/grants/types.js';
import { sha256 } from '../../../src/oauth/random-tokens.js';
import { testDatabases } from '../../helpers/services.js';
import type { ClientWithSecret, CoreServices } from '../fixtures.js';
import { confidentialClient, coreServices, insertCode, jwtPayload, oauthFailure, publicClient, registeredUser } from '../fixtures.js';

describe.each(testDatabases())('refresh_token grant on $label', ({ label }) => {
  let core: CoreServices;
  let owner: ClientWithSecret;
  beforeEach(async () => {
    core = await coreServices(label);
    owner = await confidentialClient(core);
  });
  afterEach(() => core.close());

  const auth = () => ({ client_id: owner.client.id, client_secret: owner.secret });
  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    core.services.tokens.exchange({ authorization: undefined, params: { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth(), ...extra } });

  async function firstPair(scopes = ['users:read', 'users:write']): Promise<TokenResponse> {
    const user = await registeredUser(core.services);
    const code = await insertCode(core, { client: owner.client, user, scopes });
    const params = { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/callback', ...auth() };
    return core.services.tokens.exchange({ authorization: undefined, params });
  }

  it('rotates: the old pair is revoked, the new pair keeps the grant', async () => {
    const first = await firstPair();
    const second = await refresh(first.refresh_token ?? '');
    expect(Object.keys(second)).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(await core.services.tokens.authenticate(first.access_token)).toBeUndefined();
    expect(await core.services.tokens.authenticate(second.access_token)).toMatchObject({ scopes: ['users:read', 'users:write'] });
    const oldRow = await core.storage.repositories.accessTokens.findById(String(jwtPayload(first.access_token).jti));
    const newRow = await core.storage.repositories.accessTokens.findById(String(jwtPayload(second.access_token).jti));
    expect(newRow?.grantId).toBe(oldRow?.grantId);
  });

  it('revokes the whole grant, the new pair too, when a rotated token is presented again', async () => {
    const first = await firstPair();
    const second = await refresh(first.refresh_token ?? '');
    const replay = await oauthFailure(refresh(first.refresh_token ?? ''));
    expect(replay.toJSON()).toEqual({
      error: 'invalid_grant',
      error_description: 'The refresh token is invalid.',
      hint: 'Token has been revoked',
      message: 'The refresh token is invalid.',
    });
    expect(await core.services.tokens.authenticate(second.access_token)).toBeUndefined();
    expect((await oauthFailure(refresh(second.refresh_token ?? ''))).hint).toBe('Token has been revoked');
  });

  it('lets exactly one of two concurrent rotations win', async () => {
    const first = await firstPair();
    const results = await Promise.allSettled([refresh(first.refresh_token ?? ''), refresh(first.refresh_token ?? '')]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('narrows the scope on request and refuses a wider one', async () => {
    const first = await firstPair();
    const narrowed = await refresh(first.refresh_token ?? '', { scope: 'users:read' });
    expect(jwtPayload(narrowed.access_token).scopes).toEqual(['users:read']);
    const wider = await oauthFailure(refresh(narrowed.refresh_token ?? '', { scope: 'users:read users:write' }));
    expect(wider.toJSON()).toMatchObject({ error: 'invalid_scope', hint: 'Check the `users:write` scope' });
    // The failed request did not burn the token.
    await expect(refresh(narrowed.refresh_token ?? '')).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses a refresh token of another client without burning it', async () => {
    const first = await firstPair();
    const intruder = await confidentialClient(core);
    const params = { grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '', client_id: intruder.client.id, client_secret: intruder.secret };
    const error = await oauthFailure(core.services.tokens.exchange({ authorization: undefined, params }));
    expect(error.toJSON()).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token is invalid.', hint: 'Token is not linked to client' });
    await expect(refresh(first.refresh_token ?? '')).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('refuses expired and unknown refresh tokens', async () => {
    const first = await firstPair();
    await core.storage.database.db
      .updateTable('oauth_refresh_tokens')
      .set({ expires_at: '2020-01-01 00:00:00' })
      .where('id', '=', sha256(first.refresh_token ?? ''))
      .execute();
    expect((await oauthFailure(refresh(first.refresh_token ?? ''))).hint).toBe('Token has expired');
    expect((await oauthFailure(refresh('not-a-token'))).code).toBe('invalid_grant');
    const missing = await oauthFailure(core.services.tokens.exchange({ authorization: undefined, params: { grant_type: 'refresh_token', ...auth() } }));
    expect(missing.hint).toBe('Check the `refresh_token` parameter');
  });

  it('starts a grant at the first rotation of a token issued without one (imported from Passport)', async () => {
    const user = await registeredUser(core.services);
    const issued = await core.core.tokenService.issueAccessToken({ clientId: owner.client.id, userId: user.id, scopes: ['users:read'], ttlSeconds: 60 });
    const legacy = await core.core.tokenService.issueRefreshToken(issued.record, 3600, null);
    const second = await refresh(legacy);
    const row = await core.storage.repositories.accessTokens.findById(String(jwtPayload(second.access_token).jti));
    expect(row?.grantId).toBe(sha256(legacy));
    await oauthFailure(refresh(legacy));
    expect(await core.services.tokens.authenticate(second.access_token)).toBeUndefined();
  });

  it('lets a public client refresh with its client_id alone', async () => {
    const user = await registeredUser(core.services);
    const spa = await publicClient(core);
    const issued = await core.core.tokenService.issueAccessToken({ clientId: spa.id, userId: user.id, scopes: [], ttlSeconds: 60, grantId: 'g1' });
    const token = await core.core.tokenService.issueRefreshToken(issued.record, 3600, 'g1');
    const params = { grant_type: 'refresh_token', refresh_token: token, client_id: spa.id };
    await expect(core.services.tokens.exchange({ authorization: undefined, params })).resolves.toMatchObject({ token_type: 'Bearer' });
  });
});
