import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

const OIDC = [
  { id: 'openid', description: 'Verify your identity' },
  { id: 'profile', description: 'Read your name' },
  { id: 'email', description: 'Read your email address' },
];

describe.each(databases)('GET /oauth/scopes (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
  });
  afterAll(() => t.close());

  it('is 401 without authentication, with or without a placeholder bearer token (reference)', async () => {
    for (const headers of [{ authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' }, {}]) {
      const res = await t.app.inject({ method: 'GET', url: '/oauth/scopes', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
    }
  });

  it('is 403 for a user token without *', async () => {
    const limited = await bearerUser(t, { scopes: ['users:read'] });
    const res = await t.app.inject({ method: 'GET', url: '/oauth/scopes', headers: limited.headers });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ message: 'Invalid scope(s) provided.', status: 403 });
  });

  it('lists the default scopes and the OpenID Connect ones, in declaration order', async () => {
    const user = await bearerUser(t);
    const res = await t.app.inject({ method: 'GET', url: '/oauth/scopes', headers: user.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { id: 'users:read', description: 'Read user profiles' },
      { id: 'users:write', description: 'Create users' },
      ...OIDC,
    ]);
  });
});

describe('GET /oauth/scopes with OAUTH_SCOPES', () => {
  it('keeps the configured order', async () => {
    const t = await createTestApp({ env: { OAUTH_SCOPES: JSON.stringify({ 'photos:write': 'Upload photos', 'photos:read': 'See photos' }) } });
    try {
      const user = await bearerUser(t);
      const res = await t.app.inject({ method: 'GET', url: '/oauth/scopes', headers: user.headers });
      expect(res.json()).toEqual([
        { id: 'photos:write', description: 'Upload photos' },
        { id: 'photos:read', description: 'See photos' },
        ...OIDC,
      ]);
    } finally {
      await t.close();
    }
  });
});
