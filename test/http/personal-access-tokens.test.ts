import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentClient } from '../../src/presenters/client.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { JSON_TIME, bearerUser, thirdPartyClient } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

const placeholder = { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' };
const YEAR = 365 * 86400;

interface TokenJson {
  id: string;
  created_at: string;
  expires_at: string;
  [key: string]: unknown;
}

describe.each(databases)('personal access tokens (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
  });
  afterAll(() => t.close());

  it('GET without authentication is 401 (reference)', async () => {
    for (const headers of [placeholder, { accept: 'application/json' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/oauth/personal-access-tokens', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
    }
  });

  it('POST with a placeholder bearer token and no session is 419 (reference)', async () => {
    for (const payload of [undefined, { name: 'x' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: placeholder, payload });
      expect(res.statusCode).toBe(419);
      expect(res.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
    }
  });

  it('a user token without * is 403', async () => {
    const limited = await bearerUser(t, { scopes: ['users:read'] });
    for (const request of [
      { method: 'GET', url: '/oauth/personal-access-tokens' },
      { method: 'POST', url: '/oauth/personal-access-tokens', payload: { name: 'escalate', scopes: ['users:write'] } },
      { method: 'DELETE', url: `/oauth/personal-access-tokens/${limited.issued.record.id}` },
    ] as const) {
      const res = await t.app.inject({ ...request, headers: limited.headers });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ message: 'Invalid scope(s) provided.', status: 403 });
    }
  });

  it('creates a token for a year with the declared scopes asked for', async () => {
    const owner = await bearerUser(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/personal-access-tokens',
      headers: owner.headers,
      payload: { name: '  CI deploy  ', scopes: ['users:read', 'users:write'] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ accessToken: string; token: TokenJson }>();
    const personal = await t.storage.repositories.clients.findPersonalAccessClient();
    expect(body).toEqual({
      accessToken: expect.any(String),
      token: {
        id: decodeJwt(body.accessToken).jti,
        user_id: owner.user.id,
        client_id: personal?.id,
        name: 'CI deploy',
        scopes: ['users:read', 'users:write'],
        revoked: false,
        created_at: expect.stringMatching(JSON_TIME),
        updated_at: body.token.created_at,
        expires_at: expect.stringMatching(JSON_TIME),
        client: JSON.parse(JSON.stringify(presentClient(personal!))),
      },
    });
    expect(Date.parse(body.token.expires_at) - Date.parse(body.token.created_at)).toBe(YEAR * 1000);
    const authenticated = await t.services.tokens.authenticate(body.accessToken);
    expect(authenticated).toMatchObject({ userId: owner.user.id, scopes: ['users:read', 'users:write'] });
    expect(res.body).not.toContain('secret');
  });

  it('accepts a form body, and no scopes at all', async () => {
    const owner = await bearerUser(t);
    const form = { ...owner.headers, 'content-type': 'application/x-www-form-urlencoded' };
    const withScopes = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: form, payload: 'name=cli&scopes=users%3Aread&scopes=openid' });
    expect(withScopes.statusCode).toBe(200);
    expect(withScopes.json<{ token: TokenJson }>().token.scopes).toEqual(['users:read', 'openid']);
    const single = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: form, payload: 'name=cli&scopes=users%3Aread' });
    expect(single.json<{ token: TokenJson }>().token.scopes).toEqual(['users:read']);
    const none = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: owner.headers, payload: { name: 'plain' } });
    expect(none.statusCode).toBe(200);
    expect(none.json<{ token: TokenJson }>().token.scopes).toEqual([]);
  });

  it('rejects undeclared scopes (including *), a missing name and a long one', async () => {
    const owner = await bearerUser(t);
    const cases: [unknown, Record<string, string[]>, string][] = [
      [{ name: 'x', scopes: ['users:read', 'admin'] }, { scopes: ['The selected scopes is invalid.'] }, 'The selected scopes is invalid.'],
      [{ name: 'x', scopes: ['*'] }, { scopes: ['The selected scopes is invalid.'] }, 'The selected scopes is invalid.'],
      [{ name: 'x'.repeat(192) }, { name: ['The name field must not be greater than 191 characters.'] }, 'The name field must not be greater than 191 characters.'],
      [{ name: ' ' }, { name: ['The name field is required.'] }, 'The name field is required.'],
      [
        { scopes: ['nope'] },
        { name: ['The name field is required.'], scopes: ['The selected scopes is invalid.'] },
        'The name field is required. (and 1 more error)',
      ],
    ];
    for (const [payload, errors, message] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: owner.headers, payload: payload as object });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ message, errors, status: 422 });
    }
  });

  it('creates the personal access client on demand when none exists', async () => {
    const fresh = await createTestApp({ database });
    try {
      expect(await fresh.storage.repositories.clients.findPersonalAccessClient()).toBeUndefined();
      const user = await fresh.services.users.register({ name: 'Ann', email: 'ann@example.com', password: 'password123' });
      // Any token of the user carrying `*` opens the management routes.
      const client = await thirdPartyClient(fresh);
      const { jwt } = await fresh.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: ['*'], ttlSeconds: 600 });
      const res = await fresh.app.inject({
        method: 'POST',
        url: '/oauth/personal-access-tokens',
        headers: { authorization: `Bearer ${jwt}` },
        payload: { name: 'first' },
      });
      expect(res.statusCode).toBe(200);
      const personal = await fresh.storage.repositories.clients.findPersonalAccessClient();
      expect(personal).toMatchObject({ personalAccessClient: true, name: 'Authgate Personal Access Client' });
      expect(res.json<{ token: TokenJson }>().token.client_id).toBe(personal?.id);
    } finally {
      await fresh.close();
    }
  });

  it("lists only the user's live personal access tokens", async () => {
    const owner = await bearerUser(t);
    const other = await bearerUser(t);
    const create = async (name: string, headers = owner.headers) => {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers, payload: { name } });
      return res.json<{ accessToken: string; token: TokenJson }>();
    };
    const first = await create('first');
    const second = await create('second');
    const revoked = await create('revoked');
    await t.app.inject({ method: 'DELETE', url: `/oauth/personal-access-tokens/${revoked.token.id}`, headers: owner.headers });
    await create('not mine', other.headers);
    const client = await thirdPartyClient(t);
    await t.core.tokenService.issueAccessToken({ clientId: client.id, userId: owner.user.id, scopes: [], ttlSeconds: 3600 });

    const res = await t.app.inject({ method: 'GET', url: '/oauth/personal-access-tokens', headers: owner.headers });
    expect(res.statusCode).toBe(200);
    const listed = res.json<TokenJson[]>();
    // The bearer token the test authenticates with is a personal access token too.
    expect(listed.map((token) => token.id).sort()).toEqual([first.token.id, second.token.id, owner.issued.record.id].sort());
    expect(listed.find((token) => token.id === first.token.id)).toEqual(first.token);
    expect(res.body).not.toContain('secret');
  });

  it('DELETE revokes the token at once; another user gets 404', async () => {
    const owner = await bearerUser(t);
    const intruder = await bearerUser(t);
    const res = await t.app.inject({ method: 'POST', url: '/oauth/personal-access-tokens', headers: owner.headers, payload: { name: 'temp' } });
    const { accessToken, token } = res.json<{ accessToken: string; token: TokenJson }>();

    for (const id of [token.id, 'no-such-token']) {
      const denied = await t.app.inject({ method: 'DELETE', url: `/oauth/personal-access-tokens/${id}`, headers: intruder.headers });
      expect(denied.statusCode).toBe(404);
      expect(denied.json()).toEqual({ message: 'Not Found.', status: 404 });
    }
    expect(await t.services.tokens.authenticate(accessToken)).toBeDefined();

    const deleted = await t.app.inject({ method: 'DELETE', url: `/oauth/personal-access-tokens/${token.id}`, headers: owner.headers });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await t.services.tokens.authenticate(accessToken)).toBeUndefined();
    const rejected = await t.app.inject({ method: 'GET', url: '/oauth/scopes', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
    expect(rejected.statusCode).toBe(401);
  });
});
