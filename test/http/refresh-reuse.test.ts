import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { REDIRECT_URI, basic, confidentialClient, form, insertCode, jwtPayload, registeredUser } from '../oauth/fixtures.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

/**
 * REFRESH_TOKEN_REUSE_INTERVAL: agents that refresh in parallel present one refresh token
 * several times. Within the interval after its rotation each gets a fresh pair in the same
 * grant; after it, reuse revokes the grant as before.
 */
describe.each(testDatabases())('refresh token reuse interval on $label', ({ label }) => {
  let t: TestApp;
  let app: ClientWithSecret;
  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0', REFRESH_TOKEN_REUSE_INTERVAL: '2s' } });
    app = await confidentialClient(t);
  });
  afterAll(() => t.close());

  const token = (params: Record<string, string>) => {
    const body = form(params);
    return t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: basic(app.client.id, app.secret) } });
  };
  const live = async (accessToken: string) =>
    (await t.app.inject({ url: '/api/user', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } })).statusCode === 200;

  async function firstPair(): Promise<Tokens> {
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app.client, user });
    return (await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json<Tokens>();
  }

  it('gives all of 20 parallel refreshes a fresh pair in the same grant, every one usable', async () => {
    const pair = await firstPair();
    const grant = (await t.storage.repositories.accessTokens.findById(String(jwtPayload(pair.access_token).jti)))?.grantId;
    const results = await Promise.all(Array.from({ length: 20 }, () => token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })));
    expect(results.map((res) => res.statusCode)).toEqual(Array(20).fill(200));
    const pairs = results.map((res) => res.json<Tokens>());
    expect(new Set(pairs.map((p) => p.refresh_token)).size).toBe(20);
    for (const next of pairs) {
      expect(await live(next.access_token)).toBe(true);
      const row = await t.storage.repositories.accessTokens.findById(String(jwtPayload(next.access_token).jti));
      expect(row?.grantId).toBe(grant);
    }
    // The rotated token's own access token is gone.
    expect(await live(pair.access_token)).toBe(false);
  });

  it('revokes the whole grant when the rotated token comes back after the interval', async () => {
    const pair = await firstPair();
    const rotated = (await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json<Tokens>();
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const late = await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expectOAuthError(late, { status: 400, error: 'invalid_grant', description: 'The refresh token is invalid.', hint: 'Token has been revoked' });
    expect(await live(rotated.access_token)).toBe(false);
    expect((await token({ grant_type: 'refresh_token', refresh_token: rotated.refresh_token })).statusCode).toBe(400);
  });

  it('gives nothing within the interval once the grant was revoked', async () => {
    const pair = await firstPair();
    const rotated = (await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json<Tokens>();
    const revoke = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      payload: form({ token: rotated.refresh_token }).payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(app.client.id, app.secret) },
    });
    expect(revoke.statusCode).toBe(200);
    expect((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode).toBe(400);
  });
});

describe('refresh token reuse without an interval (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_RATE_LIMIT: '0' } });
  });
  afterAll(() => t.close());

  it('revokes the grant on the first reuse', async () => {
    const app = await confidentialClient(t);
    const user = await registeredUser(t.services);
    const code = await insertCode(t, { client: app.client, user });
    const send = (params: Record<string, string>) => {
      const body = form(params);
      return t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: basic(app.client.id, app.secret) } });
    };
    const pair = (await send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })).json<Tokens>();
    expect((await send({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode).toBe(200);
    expect((await send({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode).toBe(400);
  });
});
