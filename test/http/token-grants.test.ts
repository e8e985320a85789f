import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { REDIRECT_URI, basic, codeVerifier, confidentialClient, form, insertCode, publicClient, registeredUser } from '../oauth/fixtures.js';

interface Tokens {
  token_type: string;
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

describe.each(testDatabases())('token grants over HTTP on $label', ({ label }) => {
  let t: TestApp;
  let app3: ClientWithSecret;
  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0', OAUTH_PASSWORD_GRANT: 'true' } });
    app3 = await confidentialClient(t);
  });
  afterAll(() => t.close());

  const token = (params: Record<string, string>, client: ClientWithSecret = app3) => {
    const body = form(params);
    return t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: body.payload,
      headers: { ...body.headers, authorization: basic(client.client.id, client.secret) },
    });
  };
  const isLive = async (jwt: string) => (await t.services.tokens.authenticate(jwt)) !== undefined;

  async function codePair(): Promise<Tokens> {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app3.client, user, scopes: ['users:read'] });
    const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(res.statusCode).toBe(200);
    return res.json<Tokens>();
  }

  it('exchanges a code for a token pair', async () => {
    const pair = await codePair();
    expect(Object.keys(pair)).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(await isLive(pair.access_token)).toBe(true);
  });

  it('revokes the tokens a code produced when the code is replayed', async () => {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app3.client, user });
    const first = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    const pair = first.json<Tokens>();
    const replay = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expectOAuthError(replay, { status: 400, error: 'invalid_grant', hint: 'Authorization code has been revoked' });
    expect(await isLive(pair.access_token)).toBe(false);
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(refresh.statusCode).toBe(400);
  });

  it('refuses a PKCE downgrade: wrong verifier, or the S256 challenge sent as a plain verifier', async () => {
    const user = await registeredUser(t.services);
    const verifier = codeVerifier();
    for (const attempt of [codeVerifier(), s256Challenge(verifier)]) {
      const code = await insertCode(t, { client: app3.client, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
      const res = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: attempt });
      expectOAuthError(res, { status: 400, error: 'invalid_grant', hint: 'Failed to verify `code_verifier`.' });
    }
  });

  it('refuses a public client whose code was issued without PKCE, and accepts one with it', async () => {
    const user = await registeredUser(t.services);
    const spa = await publicClient(t);
    const bare = await insertCode(t, { client: spa, user });
    const post = (params: Record<string, string>) => {
      const body = form({ grant_type: 'authorization_code', client_id: spa.id, redirect_uri: REDIRECT_URI, ...params });
      return t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: body.headers });
    };
    const refused = await post({ code: bare });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: 'invalid_grant' });
    const verifier = codeVerifier();
    const good = await insertCode(t, { client: spa, user, codeChallenge: s256Challenge(verifier), codeChallengeMethod: 'S256' });
    const accepted = await post({ code: good, code_verifier: verifier });
    expect(accepted.statusCode).toBe(200);
  });

  it('rotates refresh tokens, and a replayed one revokes the new pair too', async () => {
    const first = await codePair();
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const second = rotated.json<Tokens>();
    expect(Object.keys(second)).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    expect(await isLive(first.access_token)).toBe(false);
    expect(await isLive(second.access_token)).toBe(true);

    const replay = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expectOAuthError(replay, { status: 400, error: 'invalid_grant', hint: 'Token has been revoked', description: 'The refresh token is invalid.' });
    expect(await isLive(second.access_token)).toBe(false);
    const afterReplay = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expect(afterReplay.json()).toMatchObject({ error: 'invalid_grant', hint: 'Token has been revoked' });
  });

  it('refuses a refresh token presented by another client', async () => {
    const pair = await codePair();
    const other = await confidentialClient(t);
    const res = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token }, other);
    expectOAuthError(res, { status: 400, error: 'invalid_grant', hint: 'Token is not linked to client', description: 'The refresh token is invalid.' });
    expect(await isLive(pair.access_token)).toBe(true);
  });

  it('narrows the scope of a refresh and refuses a wider one', async () => {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app3.client, user, scopes: ['users:read', 'users:write'] });
    const pair = (await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json<Tokens>();
    const narrowed = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token, scope: 'users:read' });
    expect(narrowed.statusCode).toBe(200);
    expect((await t.services.tokens.authenticate(narrowed.json<Tokens>().access_token))?.scopes).toEqual(['users:read']);
    const wider = await token({ grant_type: 'refresh_token', refresh_token: narrowed.json<Tokens>().refresh_token, scope: 'users:write' });
    expect(wider.statusCode).toBe(400);
    expect(wider.json()).toMatchObject({ error: 'invalid_scope', hint: 'Check the `users:write` scope' });
  });

  it('issues password grant tokens to password clients, with `*`', async () => {
    const user = await registeredUser(t.services, 'secret-password');
    const passwordClient = await confidentialClient(t, { passwordClient: true });
    const res = await token({ grant_type: 'password', username: user.email, password: 'secret-password', scope: '*' }, passwordClient);
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token']);
    const wrong = await token({ grant_type: 'password', username: user.email, password: 'nope' }, passwordClient);
    expectOAuthError(wrong, { status: 400, error: 'invalid_grant', description: 'The user credentials were incorrect.' });
    const notPassword = await token({ grant_type: 'password', username: user.email, password: 'secret-password' });
    expect(notPassword.statusCode).toBe(400);
    expect(notPassword.json()).toMatchObject({ error: 'unauthorized_client' });
  });
});
