import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/oauth/signing-keys.js';
import { toDbTimestamp } from '../../src/storage/timestamps.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { POSTGRES_URL, newUser } from '../helpers/user-fixtures.js';

/**
 * Passport before UUID client ids numbered its clients 1, 2, …, and the personal access client
 * is often 1 — as is the first user. Found in review: a token whose `sub` (the user id) equalled
 * its client id was taken for a client credentials token, so that user's tokens were 401.
 */
describe.each(['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const)('tokens of integer client ids (%s)', (database) => {
  let t: TestApp;
  let userId: number;

  beforeAll(async () => {
    const pair = generateKeyPair('rsa', 2048);
    t = await createTestApp({ database, env: { OAUTH_PRIVATE_KEY: pair.privatePem, OAUTH_PUBLIC_KEY: pair.publicPem } });
    const user = await newUser(t, 'Ada', 'ada@example.com');
    userId = user.id;
    const now = toDbTimestamp(new Date());
    // An imported Passport client whose id is the user's id.
    await t.storage.database.db
      .insertInto('oauth_clients')
      .values({
        id: String(userId), user_id: null, name: 'Personal Access Client', secret: null, provider: null, redirect: 'http://localhost',
        personal_access_client: 1, password_client: 0, revoked: 0, skips_authorization: 0, grant_types: null, created_at: now, updated_at: now,
      })
      .execute();
  });
  afterAll(() => t.close());

  async function getUser(jwt: string) {
    return t.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Bearer ${jwt}`, accept: 'application/json' } });
  }

  it("accepts Passport's own token for that user (RS256, no kid, aud = sub)", async () => {
    const jti = 'b'.repeat(80);
    await t.storage.repositories.accessTokens.create({
      id: jti, userId, clientId: String(userId), name: 'legacy', scopes: ['*'],
      createdAt: new Date(), expiresAt: new Date(Date.now() + 600_000), grantId: null,
    });
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ scopes: ['*'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setAudience(String(userId)).setJti(jti).setSubject(String(userId))
      .setIssuedAt(now).setNotBefore(now).setExpirationTime(now + 600)
      .sign(t.services.keys.active.privateKey);
    const res = await getUser(jwt);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: userId, email: 'ada@example.com' });
  });

  it('accepts a token Authgate issues to that user through that client', async () => {
    const { jwt } = await t.core.tokenService.issueAccessToken({ clientId: String(userId), userId, scopes: ['*'], ttlSeconds: 600 });
    expect((await getUser(jwt)).statusCode).toBe(200);
  });

  it("still treats the client's own token (no user) as a machine token", async () => {
    const { jwt } = await t.core.tokenService.issueAccessToken({ clientId: String(userId), userId: null, scopes: ['users:read'], ttlSeconds: 600 });
    expect((await getUser(jwt)).statusCode).toBe(401);
    const search = await t.app.inject({ method: 'GET', url: '/api/users?name=Ada', headers: { authorization: `Bearer ${jwt}`, accept: 'application/json' } });
    expect(search.statusCode).toBe(200);
  });
});
