import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { REDIRECT_URI, basic, codeVerifier, confidentialClient, form, insertCode, jwtPayload, publicClient, registeredUser } from '../oauth/fixtures.js';
import { s256Challenge } from '../../src/oauth/pkce.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

describe.each(testDatabases())('revocation and introspection on $label', ({ label }) => {
  let t: TestApp;
  let owner: ClientWithSecret;
  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0' } });
    owner = await confidentialClient(t);
  });
  afterAll(() => t.close());

  const post = (url: string, params: Record<string, string>, authorization?: string) => {
    const body = form(params);
    return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...(authorization ? { authorization } : {}) } });
  };
  const asOwner = (url: string, params: Record<string, string>, client: ClientWithSecret = owner) =>
    post(url, params, basic(client.client.id, client.secret));
  const isLive = async (jwt: string) => (await t.services.tokens.authenticate(jwt)) !== undefined;

  async function userPair(client: ClientWithSecret = owner): Promise<Tokens & { email: string; userId: number }> {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: client.client, user, scopes: ['users:read'] });
    const res = await asOwner('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }, client);
    return { ...res.json<Tokens>(), email: user.email, userId: user.id };
  }

  describe('POST /oauth/revoke', () => {
    it('revokes an access token with an empty 200', async () => {
      const pair = await userPair();
      const res = await asOwner('/oauth/revoke', { token: pair.access_token, token_type_hint: 'access_token' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(await isLive(pair.access_token)).toBe(false);
      // Its refresh token is gone too.
      const refresh = await asOwner('/oauth/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
      expect(refresh.statusCode).toBe(400);
    });

    it('revokes a refresh token and the access tokens of its grant, whatever the hint says', async () => {
      const pair = await userPair();
      const res = await asOwner('/oauth/revoke', { token: pair.refresh_token, token_type_hint: 'access_token' });
      expect(res.statusCode).toBe(200);
      expect(await isLive(pair.access_token)).toBe(false);
      const refresh = await asOwner('/oauth/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
      expect(refresh.json()).toMatchObject({ error: 'invalid_grant', hint: 'Token has been revoked' });
    });

    it('answers 200 for unknown tokens and for another client’s tokens, which stay live', async () => {
      expect((await asOwner('/oauth/revoke', { token: 'unknown' })).statusCode).toBe(200);
      expect((await asOwner('/oauth/revoke', { token: 'a.b.c' })).statusCode).toBe(200);
      const pair = await userPair();
      const other = await confidentialClient(t);
      expect((await asOwner('/oauth/revoke', { token: pair.access_token }, other)).statusCode).toBe(200);
      expect((await asOwner('/oauth/revoke', { token: pair.refresh_token }, other)).statusCode).toBe(200);
      expect(await isLive(pair.access_token)).toBe(true);
    });

    it('lets a public client revoke its own tokens with client_id alone', async () => {
      const user = await registeredUser(t.services);
      const spa = await publicClient(t);
      const verifier = codeVerifier();
      const code = await insertCode(t, { client: spa, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
      const pair = (
        await post('/oauth/token', { grant_type: 'authorization_code', client_id: spa.id, code, code_verifier: verifier, redirect_uri: REDIRECT_URI })
      ).json<Tokens>();
      const res = await post('/oauth/revoke', { client_id: spa.id, token: pair.refresh_token });
      expect(res.statusCode).toBe(200);
      expect(await isLive(pair.access_token)).toBe(false);
    });

    it('requires client authentication and the token parameter', async () => {
      const bad = await post('/oauth/revoke', { token: 'x' }, basic(owner.client.id, 'wrong'));
      expect(bad.statusCode).toBe(401);
      expect(bad.headers['www-authenticate']).toBe('Basic realm="OAuth"');
      expect(bad.json()).toMatchObject({ error: 'invalid_client' });
      const missing = await asOwner('/oauth/revoke', {});
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `token` parameter' });
      const twoWays = await post('/oauth/revoke', { token: 'x', client_id: owner.client.id, client_secret: owner.secret }, basic(owner.client.id, owner.secret));
      expect(twoWays.statusCode).toBe(400);
      expect(twoWays.json()).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('POST /oauth/introspect', () => {
    it('describes a live user access token of the client', async () => {
      const pair = await userPair();
      const claims = jwtPayload(pair.access_token);
      const res = await asOwner('/oauth/introspect', { token: pair.access_token });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual({
        active: true,
        scope: 'users:read',
        client_id: owner.client.id,
        username: pair.email,
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        nbf: claims.nbf,
        sub: String(pair.userId),
        aud: owner.client.id,
        iss: 'http://localhost:8000',
        jti: claims.jti,
      });
    });

    it('describes a client credentials token and a refresh token', async () => {
      const cc = (await asOwner('/oauth/token', { grant_type: 'client_credentials', scope: 'users:read' })).json<Tokens>();
      const res = await post('/oauth/introspect', { token: cc.access_token, client_id: owner.client.id, client_secret: owner.secret });
      expect(res.json()).toMatchObject({ active: true, client_id: owner.client.id, sub: owner.client.id, token_type: 'Bearer' });
      expect(res.json()).not.toHaveProperty('username');
      const pair = await userPair();
      const refresh = await asOwner('/oauth/introspect', { token: pair.refresh_token, token_type_hint: 'refresh_token' });
      expect(refresh.json()).toMatchObject({ active: true, client_id: owner.client.id, scope: 'users:read', username: pair.email, sub: String(pair.userId) });
    });

    it('says only {"active":false} for revoked, unknown and other clients’ tokens', async () => {
      const pair = await userPair();
      const other = await confidentialClient(t);
      expect((await asOwner('/oauth/introspect', { token: pair.access_token }, other)).json()).toEqual({ active: false });
      expect((await asOwner('/oauth/introspect', { token: pair.refresh_token }, other)).json()).toEqual({ active: false });
      expect((await asOwner('/oauth/introspect', { token: 'garbage' })).json()).toEqual({ active: false });
      await asOwner('/oauth/revoke', { token: pair.access_token });
      expect((await asOwner('/oauth/introspect', { token: pair.access_token })).json()).toEqual({ active: false });
      expect((await asOwner('/oauth/introspect', { token: pair.refresh_token })).json()).toEqual({ active: false });
    });

    it('is only for authenticated confidential clients', async () => {
      const spa = await publicClient(t);
      const res = await post('/oauth/introspect', { client_id: spa.id, token: 'x' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'invalid_client' });
      const anonymous = await post('/oauth/introspect', { token: 'x' });
      expect(anonymous.statusCode).toBe(400);
      expect(anonymous.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_id` parameter' });
      const twoWays = await post('/oauth/introspect', { token: 'x', client_secret: owner.secret }, basic(owner.client.id, owner.secret));
      expect(twoWays.statusCode).toBe(400);
      expect(twoWays.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_secret` parameter' });
    });
  });
});
