import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/oauth/secrets.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { JSON_TIME, UUID, bearerUser } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

const placeholder = { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' };
const INVALID_REDIRECT = 'One or more redirects have an invalid URI format.';

describe.each(databases)('OAuth client management (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
  });
  afterAll(() => t.close());

  async function createClient(headers: Record<string, string>, payload: Record<string, unknown>) {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers, payload });
    expect(res.statusCode).toBe(201);
    return res.json<Record<string, unknown> & { id: string; plainSecret: string | null }>();
  }

  describe('without authentication', () => {
    it('GET /oauth/clients is 401, with or without a placeholder bearer token (reference)', async () => {
      for (const headers of [{ accept: 'application/json' }, placeholder, {}]) {
        const res = await t.app.inject({ method: 'GET', url: '/oauth/clients', headers });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
      }
    });

    it('POST /oauth/clients with a placeholder bearer token and no session is 419 (reference)', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: placeholder });
      expect(res.statusCode).toBe(419);
      expect(res.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
    });

    it('PUT and DELETE are checked for CSRF before anything else, and change nothing', async () => {
      const owner = await bearerUser(t);
      const client = await createClient(owner.headers, { name: 'Kept', redirect: 'https://kept.example/cb' });
      for (const method of ['PUT', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url: `/oauth/clients/${client.id}`, headers: placeholder, payload: { name: 'x' } });
        expect(res.statusCode).toBe(419);
        expect(res.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
      }
      const stored = await t.storage.repositories.clients.findById(client.id);
      expect(stored).toMatchObject({ name: 'Kept', revoked: false });
    });

    it('a user token without the * scope is 403 on every route', async () => {
      const limited = await bearerUser(t, { scopes: ['users:read'] });
      const requests = [
        { method: 'GET', url: '/oauth/clients' },
        { method: 'POST', url: '/oauth/clients', payload: { name: 'a', redirect: 'https://a.example/cb' } },
        { method: 'PUT', url: '/oauth/clients/abc', payload: { name: 'a', redirect: 'https://a.example/cb' } },
        { method: 'DELETE', url: '/oauth/clients/abc' },
      ] as const;
      for (const request of requests) {
        const res = await t.app.inject({ ...request, headers: limited.headers });
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ message: 'Invalid scope(s) provided.', status: 403 });
      }
      expect(await t.storage.repositories.clients.listForUser(limited.user.id)).toEqual([]);
    });
  });

  describe('POST /oauth/clients', () => {
    it('creates a confidential client and shows its secret once, stored only as a keyed hash', async () => {
      const owner = await bearerUser(t);
      const res = await t.app.inject({
        method: 'POST',
        url: '/oauth/clients',
        headers: owner.headers,
        payload: { name: 'My App', redirect: 'https://app.example/callback' },
      });
      expect(res.statusCode).toBe(201);
      const body = res.json<Record<string, unknown> & { id: string; plainSecret: string }>();
      expect(body).toEqual({
        plainSecret: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        id: expect.stringMatching(UUID),
        user_id: owner.user.id,
        name: 'My App',
        provider: null,
        redirect: 'https://app.example/callback',
        personal_access_client: false,
        password_client: false,
        revoked: false,
        created_at: expect.stringMatching(JSON_TIME),
        updated_at: expect.stringMatching(JSON_TIME),
        secret: body.plainSecret,
      });
      const stored = await t.storage.repositories.clients.findById(body.id);
      expect(stored?.secretHash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/);
      expect(stored?.secretHash).not.toContain(body.plainSecret);
      expect(await verifyClientSecret(body.plainSecret, stored?.secretHash ?? '', t.services.appKey)).toEqual({ ok: true });
    });

    it('creates a public client from a form, with several redirect URIs, and no secret', async () => {
      const owner = await bearerUser(t);
      const res = await t.app.inject({
        method: 'POST',
        url: '/oauth/clients',
        headers: { ...owner.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Native+App&redirect=com.example.app%3A%2Fcallback%2C%20http%3A%2F%2F127.0.0.1%2Fcb&confidential=0',
      });
      expect(res.statusCode).toBe(201);
      const body = res.json<Record<string, unknown> & { id: string }>();
      expect(body).toMatchObject({
        plainSecret: null,
        secret: null,
        name: 'Native App',
        redirect: 'com.example.app:/callback,http://127.0.0.1/cb',
      });
      const stored = await t.storage.repositories.clients.findById(body.id);
      expect(stored?.secretHash).toBeNull();
      expect(stored?.redirectUris).toEqual(['com.example.app:/callback', 'http://127.0.0.1/cb']);
    });

    it('accepts Laravel boolean forms of confidential', async () => {
      const owner = await bearerUser(t);
      const cases: [unknown, boolean][] = [[true, true], [false, false], ['1', true], ['0', false], [1, true], [0, false], ['true', true]];
      for (const [confidential, expected] of cases) {
        const body = await createClient(owner.headers, { name: 'B', redirect: 'https://b.example/cb', confidential });
        expect(body.plainSecret !== null).toBe(expected);
      }
    });

    it('answers a request without fields with Laravel messages for each', async () => {
      const owner = await bearerUser(t);
      for (const extra of [{}, { 'content-type': 'application/json' }]) {
        const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: { ...owner.headers, ...extra } });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({
          message: 'The name field is required. (and 1 more error)',
          errors: { name: ['The name field is required.'], redirect: ['The redirect field is required.'] },
          status: 422,
        });
      }
    });

    it('rejects a name over 191 characters, a blank name and a bad confidential flag', async () => {
      const owner = await bearerUser(t);
      const cases: [Record<string, unknown>, Record<string, string[]>][] = [
        [{ name: 'x'.repeat(192), redirect: 'https://a.example/cb' }, { name: ['The name field must not be greater than 191 characters.'] }],
        [{ name: '   ', redirect: 'https://a.example/cb' }, { name: ['The name field is required.'] }],
        [{ name: 'a', redirect: 'https://a.example/cb', confidential: 'maybe' }, { confidential: ['The confidential field must be true or false.'] }],
      ];
      for (const [payload, errors] of cases) {
        const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: owner.headers, payload });
        expect(res.statusCode).toBe(422);
        expect(res.json()).toEqual({ message: Object.values(errors)[0]?.[0], errors, status: 422 });
      }
      const named = await t.app.inject({
        method: 'POST',
        url: '/oauth/clients',
        headers: owner.headers,
        payload: { name: 'x'.repeat(191), redirect: 'https://a.example/cb' },
      });
      expect(named.statusCode).toBe(201);
    });

    it('rejects redirects that are not absolute URIs, carry a fragment, user information or a script scheme', async () => {
      const owner = await bearerUser(t);
      const bad = [
        'not a uri',
        '/relative/path',
        'https://ok.example/cb,',
        'https://ok.example/cb,javascript:alert(1)',
        'https://ok.example/cb#fragment',
        'https://good.example@evil.example/cb',
        'data:text/html,hi',
        'http:example.com',
        '   ',
      ];
      for (const redirect of bad) {
        const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: owner.headers, payload: { name: 'a', redirect } });
        expect(res.statusCode, redirect).toBe(422);
        const message = redirect.trim() === '' ? 'The redirect field is required.' : INVALID_REDIRECT;
        expect(res.json()).toEqual({ message, errors: { redirect: [message] }, status: 422 });
      }
      expect(await t.storage.repositories.clients.listForUser(owner.user.id)).toEqual([]);
    });
  });

  describe('GET /oauth/clients', () => {
    it("lists the user's live clients by name, never with a secret", async () => {
      const owner = await bearerUser(t);
      const other = await bearerUser(t);
      const zed = await createClient(owner.headers, { name: 'Zed', redirect: 'https://z.example/cb' });
      const alpha = await createClient(owner.headers, { name: 'Alpha', redirect: 'https://a.example/cb,https://a.example/other' });
      const gone = await createClient(owner.headers, { name: 'Beta', redirect: 'https://b.example/cb' });
      await createClient(other.headers, { name: 'Another user', redirect: 'https://o.example/cb' });
      await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${gone.id}`, headers: owner.headers });

      const res = await t.app.inject({ method: 'GET', url: '/oauth/clients', headers: owner.headers });
      expect(res.statusCode).toBe(200);
      const strip = ({ plainSecret: _p, secret: _s, ...rest }: Record<string, unknown>) => rest;
      expect(res.json()).toEqual([strip(alpha), strip(zed)]);
      expect(res.body).not.toContain(String(zed.plainSecret));
      expect(res.body).not.toContain('secret');
    });
  });

  describe('PUT /oauth/clients/{client_id}', () => {
    it('renames a client and replaces its redirects, answering without the secret', async () => {
      const owner = await bearerUser(t);
      const client = await createClient(owner.headers, { name: 'Before', redirect: 'https://before.example/cb' });
      // Warm the client cache, so the test also shows the update reaching it.
      await t.core.clientDirectory.find(client.id);
      const res = await t.app.inject({
        method: 'PUT',
        url: `/oauth/clients/${client.id}`,
        headers: owner.headers,
        payload: { name: 'After', redirect: 'https://after.example/cb,https://after.example/two' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: client.id,
        user_id: owner.user.id,
        name: 'After',
        provider: null,
        redirect: 'https://after.example/cb,https://after.example/two',
        personal_access_client: false,
        password_client: false,
        revoked: false,
        created_at: client.created_at,
        updated_at: expect.stringMatching(JSON_TIME),
      });
      expect((await t.core.clientDirectory.find(client.id))?.redirectUris).toEqual(['https://after.example/cb', 'https://after.example/two']);
    });

    it('validates the fields like creation', async () => {
      const owner = await bearerUser(t);
      const client = await createClient(owner.headers, { name: 'Kept', redirect: 'https://kept.example/cb' });
      const bad = await t.app.inject({
        method: 'PUT',
        url: `/oauth/clients/${client.id}`,
        headers: owner.headers,
        payload: { name: 'New', redirect: 'nope' },
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toEqual({ message: INVALID_REDIRECT, errors: { redirect: [INVALID_REDIRECT] }, status: 422 });
      const empty = await t.app.inject({ method: 'PUT', url: `/oauth/clients/${client.id}`, headers: owner.headers });
      expect(empty.json()).toEqual({
        message: 'The name field is required. (and 1 more error)',
        errors: { name: ['The name field is required.'], redirect: ['The redirect field is required.'] },
        status: 422,
      });
      expect(await t.storage.repositories.clients.findById(client.id)).toMatchObject({ name: 'Kept' });
    });

    it("is 404 for another user's client, an unknown id and a deleted client, whatever the body", async () => {
      const owner = await bearerUser(t);
      const intruder = await bearerUser(t);
      const client = await createClient(owner.headers, { name: 'Mine', redirect: 'https://mine.example/cb' });
      const deleted = await createClient(owner.headers, { name: 'Deleted', redirect: 'https://d.example/cb' });
      await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${deleted.id}`, headers: owner.headers });
      const attempts = [
        { id: client.id, headers: intruder.headers, payload: { name: 'Stolen', redirect: 'https://evil.example/cb' } },
        { id: client.id, headers: intruder.headers, payload: {} },
        { id: '00000000-0000-0000-0000-000000000000', headers: owner.headers, payload: { name: 'x', redirect: 'https://x.example/cb' } },
        { id: deleted.id, headers: owner.headers, payload: { name: 'x', redirect: 'https://x.example/cb' } },
      ];
      for (const { id, headers, payload } of attempts) {
        const res = await t.app.inject({ method: 'PUT', url: `/oauth/clients/${id}`, headers, payload });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ message: 'Not Found.', status: 404 });
      }
      expect(await t.storage.repositories.clients.findById(client.id)).toMatchObject({ name: 'Mine' });
    });
  });

  describe('DELETE /oauth/clients/{client_id}', () => {
    it('revokes the client and every token issued to it, at once', async () => {
      const owner = await bearerUser(t);
      const created = await createClient(owner.headers, { name: 'Doomed', redirect: 'https://doomed.example/cb' });
      const issued = await t.core.tokenService.issueAccessToken({ clientId: created.id, userId: owner.user.id, scopes: ['users:read'], ttlSeconds: 3600 });
      const refresh = await t.core.tokenService.issueRefreshToken(issued.record, 86400, null);
      expect(await t.services.tokens.authenticate(issued.jwt)).toBeDefined();

      const res = await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${created.id}`, headers: owner.headers });
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(await t.services.tokens.authenticate(issued.jwt)).toBeUndefined();
      expect((await t.storage.repositories.refreshTokens.findById(sha256(refresh)))?.revoked).toBe(true);
      expect(await t.storage.repositories.clients.findById(created.id)).toMatchObject({ revoked: true });
      expect((await t.core.clientDirectory.find(created.id))?.revoked).toBe(true);

      const again = await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${created.id}`, headers: owner.headers });
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ message: 'Not Found.', status: 404 });
    });

    it("is 404 for another user's client and leaves it alone", async () => {
      const owner = await bearerUser(t);
      const intruder = await bearerUser(t);
      const client = await createClient(owner.headers, { name: 'Safe', redirect: 'https://safe.example/cb' });
      for (const id of [client.id, 'no-such-client']) {
        const res = await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${id}`, headers: intruder.headers });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ message: 'Not Found.', status: 404 });
      }
      expect(await t.storage.repositories.clients.findById(client.id)).toMatchObject({ revoked: false });
    });
  });
});
