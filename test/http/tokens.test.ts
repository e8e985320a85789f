import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/oauth/random-tokens.js';
import { presentClient } from '../../src/presenters/client.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { JSON_TIME, bearerUser, thirdPartyClient } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

const placeholder = { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' };

describe.each(databases)('authorized tokens (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
  });
  afterAll(() => t.close());

  it('GET /oauth/tokens without authentication is 401 (reference)', async () => {
    for (const headers of [placeholder, { accept: 'application/json' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/oauth/tokens', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
    }
  });

  it('DELETE /oauth/tokens/{id} without authentication is 419 and revokes nothing', async () => {
    const owner = await bearerUser(t);
    const res = await t.app.inject({ method: 'DELETE', url: `/oauth/tokens/${owner.issued.record.id}`, headers: placeholder });
    expect(res.statusCode).toBe(419);
    expect(res.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
    expect(await t.services.tokens.authenticate(owner.jwt)).toBeDefined();
  });

  it('a user token without * is 403', async () => {
    const limited = await bearerUser(t, { scopes: ['users:read', 'users:write'] });
    for (const request of [
      { method: 'GET', url: '/oauth/tokens' },
      { method: 'DELETE', url: `/oauth/tokens/${limited.issued.record.id}` },
    ] as const) {
      const res = await t.app.inject({ ...request, headers: limited.headers });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ message: 'Invalid scope(s) provided.', status: 403 });
    }
    expect(await t.services.tokens.authenticate(limited.jwt)).toBeDefined();
  });

  it("lists the user's live tokens of third-party clients, each with its client and no secret", async () => {
    const owner = await bearerUser(t);
    const other = await bearerUser(t);
    const client = await thirdPartyClient(t, { name: 'Gallery' });
    const passwordClient = await thirdPartyClient(t, { name: 'First party', passwordClient: true });
    const issue = (clientId: string, userId: number, ttlSeconds = 3600) =>
      t.core.tokenService.issueAccessToken({ clientId, userId, scopes: ['users:read'], ttlSeconds });
    const live = await issue(client.id, owner.user.id);
    const revoked = await issue(client.id, owner.user.id);
    await t.core.tokenService.revokeAccessToken(revoked.record.id);
    await issue(client.id, owner.user.id, -10);
    await issue(passwordClient.id, owner.user.id);
    await issue(client.id, other.user.id);

    const res = await t.app.inject({ method: 'GET', url: '/oauth/tokens', headers: owner.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        id: live.record.id,
        user_id: owner.user.id,
        client_id: client.id,
        name: null,
        scopes: ['users:read'],
        revoked: false,
        created_at: expect.stringMatching(JSON_TIME),
        updated_at: expect.stringMatching(JSON_TIME),
        expires_at: expect.stringMatching(JSON_TIME),
        client: JSON.parse(JSON.stringify(presentClient(client))),
      },
    ]);
    expect(res.body).not.toContain('secret');
  });

  it('DELETE /oauth/tokens/{id} revokes the token and its refresh tokens at once', async () => {
    const owner = await bearerUser(t);
    const client = await thirdPartyClient(t);
    const issued = await t.core.tokenService.issueAccessToken({ clientId: client.id, userId: owner.user.id, scopes: ['*'], ttlSeconds: 3600 });
    const refresh = await t.core.tokenService.issueRefreshToken(issued.record, 86400, null);

    const res = await t.app.inject({ method: 'DELETE', url: `/oauth/tokens/${issued.record.id}`, headers: owner.headers });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await t.services.tokens.authenticate(issued.jwt)).toBeUndefined();
    expect((await t.storage.repositories.refreshTokens.findById(sha256(refresh)))?.revoked).toBe(true);
    // The revoked token itself no longer opens the management routes.
    const after = await t.app.inject({ method: 'GET', url: '/oauth/tokens', headers: { authorization: `Bearer ${issued.jwt}`, accept: 'application/json' } });
    expect(after.statusCode).toBe(401);
    const list = await t.app.inject({ method: 'GET', url: '/oauth/tokens', headers: owner.headers });
    expect(list.json()).toEqual([]);
  });

  it("is 404 for another user's token and for an unknown id", async () => {
    const owner = await bearerUser(t);
    const intruder = await bearerUser(t);
    const client = await thirdPartyClient(t);
    const issued = await t.core.tokenService.issueAccessToken({ clientId: client.id, userId: owner.user.id, scopes: [], ttlSeconds: 3600 });
    for (const id of [issued.record.id, 'no-such-token']) {
      const res = await t.app.inject({ method: 'DELETE', url: `/oauth/tokens/${id}`, headers: intruder.headers });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ message: 'Not Found.', status: 404 });
    }
    expect(await t.services.tokens.authenticate(issued.jwt)).toBeDefined();
  });
});
