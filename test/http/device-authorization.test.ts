import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { testDatabases } from '../helpers/services.js';
import { bearer, newUser } from '../helpers/user-fixtures.js';
import {
  ACCESS_DENIED,
  AUTHORIZATION_PENDING,
  DEVICE_GRANT,
  EXPIRED_TOKEN,
  SLOW_DOWN,
  USER_CODE,
  answerThroughPages,
  invalidGrant,
  loggedInBrowser,
  poll,
  requestCodes,
} from './device-helpers.js';

const SECRET = 'device-secret-device-secret-device-secret-00';
const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe.each(testDatabases())('the device authorization grant on $label', ({ label: database }) => {
  let t: TestApp;
  let tv: Client;
  let confidential: Client;
  let machineOnly: Client;

  beforeAll(async () => {
    t = await createTestApp({ database, env: { TOKEN_RATE_LIMIT: '0' } });
    await newUser(t, 'Ada');
    const clients = t.storage.repositories.clients;
    tv = await clients.create({ userId: null, name: 'Living Room TV', secretHash: null, redirectUris: [] });
    confidential = await clients.create({ userId: null, name: 'Console', secretHash: hashClientSecret(SECRET, t.services.appKey), redirectUris: [] });
    machineOnly = await clients.create({ userId: null, name: 'Cron', secretHash: hashClientSecret(SECRET, t.services.appKey), redirectUris: [], grantTypes: ['client_credentials'] });
  });
  afterAll(() => t.close());

  async function start(scope = 'users:read') {
    const res = await requestCodes(t, { client_id: tv.id, scope });
    expect(res.statusCode).toBe(200);
    return res.json<{ device_code: string; user_code: string }>();
  }

  describe('POST /oauth/device/code', () => {
    it('gives a public client a device code, a user code and where to enter it (RFC 8628 §3.2)', async () => {
      const res = await requestCodes(t, { client_id: tv.id, scope: 'users:read openid' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<Record<string, unknown>>();
      expect(Object.keys(body)).toEqual(['device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in', 'interval']);
      const userCode = String(body.user_code);
      expect(userCode).toMatch(USER_CODE);
      expect(body).toEqual({
        device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user_code: userCode,
        verification_uri: 'http://localhost:8000/oauth/device',
        verification_uri_complete: `http://localhost:8000/oauth/device?user_code=${userCode}`,
        expires_in: 600,
        interval: 5,
      });
      // Stored as a hash only, with the user code without its dash.
      const row = await t.storage.database.db.selectFrom('oauth_device_codes').selectAll().where('id', '=', sha256(String(body.device_code))).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ user_id: null, client_id: tv.id, user_code: userCode.replace('-', ''), scopes: '["users:read","openid"]', user_approved_at: null, last_polled_at: null });
      expect(JSON.stringify(row)).not.toContain(String(body.device_code));
    });

    it('authenticates a confidential client with HTTP Basic and refuses a wrong secret', async () => {
      expect((await requestCodes(t, {}, basic(confidential.id, SECRET))).statusCode).toBe(200);
      const wrong = await requestCodes(t, {}, basic(confidential.id, 'wrong'));
      expect(wrong.statusCode).toBe(401);
      expect(wrong.headers['www-authenticate']).toBe('Basic realm="OAuth"');
      expect(wrong.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
      const withoutSecret = await requestCodes(t, { client_id: confidential.id });
      expect(withoutSecret.statusCode).toBe(401);
      expect(withoutSecret.headers['www-authenticate']).toBeUndefined();
    });

    it('refuses a client whose grant types leave out the device grant', async () => {
      const res = await requestCodes(t, { client_id: machineOnly.id, client_secret: SECRET });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: 'unauthorized_client',
        error_description: 'The authenticated client is not authorized to use this authorization grant type.',
        hint: `The client may not use the \`${DEVICE_GRANT}\` grant`,
        message: 'The authenticated client is not authorized to use this authorization grant type.',
      });
    });

    it('refuses `*`, undeclared scopes and a request without a client', async () => {
      const scopeError = (scope: string) => ({
        error: 'invalid_scope',
        error_description: 'The requested scope is invalid, unknown, or malformed',
        hint: `Check the \`${scope}\` scope`,
        message: 'The requested scope is invalid, unknown, or malformed',
      });
      const wildcard = await requestCodes(t, { client_id: tv.id, scope: '*' });
      expect(wildcard.statusCode).toBe(400);
      expect(wildcard.json()).toEqual(scopeError('*'));
      expect((await requestCodes(t, { client_id: tv.id, scope: 'users:read admin' })).json()).toEqual(scopeError('admin'));
      const anonymous = await requestCodes(t, { scope: 'users:read' });
      expect(anonymous.statusCode).toBe(400);
      expect(anonymous.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `client_id` parameter' });
    });
  });

  describe('the token endpoint', () => {
    it('answers authorization_pending, then slow_down for a poll inside the interval (RFC 8628 §3.5)', async () => {
      const { device_code } = await start();
      const first = await poll(t, { client_id: tv.id, device_code });
      expect(first.statusCode).toBe(400);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.json()).toEqual(AUTHORIZATION_PENDING);
      const second = await poll(t, { client_id: tv.id, device_code });
      expect(second.statusCode).toBe(400);
      expect(second.json()).toEqual(SLOW_DOWN);
      // A poll a full interval after the last recorded one is pending again.
      await t.storage.database.db
        .updateTable('oauth_device_codes')
        .set({ last_polled_at: '2000-01-01 00:00:00' })
        .where('id', '=', sha256(device_code))
        .execute();
      expect((await poll(t, { client_id: tv.id, device_code })).json()).toEqual(AUTHORIZATION_PENDING);
    });

    it('issues an access and a refresh token once the user approved, exactly once', async () => {
      const { device_code, user_code } = await start('users:read');
      expect((await poll(t, { client_id: tv.id, device_code })).json()).toEqual(AUTHORIZATION_PENDING);
      const browser = await loggedInBrowser(t, 'ada@example.com');
      expect((await answerThroughPages(browser, user_code, 'approve')).statusCode).toBe(200);

      // Approved: the interval no longer matters.
      const res = await poll(t, { client_id: tv.id, device_code });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
      const tokens = res.json<Record<string, unknown>>();
      expect(tokens).toEqual({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), refresh_token: expect.any(String) });
      const me = await t.app.inject({ url: '/api/user', headers: { ...bearer(String(tokens.access_token)), accept: 'application/json' } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ email: 'ada@example.com' });

      // Single use; presented again, the code revokes what it produced.
      const again = await poll(t, { client_id: tv.id, device_code });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toEqual(invalidGrant('Device code has been revoked'));
      const after = await t.app.inject({ url: '/api/user', headers: { ...bearer(String(tokens.access_token)), accept: 'application/json' } });
      expect(after.statusCode).toBe(401);
    });

    it('hands out one token pair to two concurrent polls of an approved code', async () => {
      const { device_code, user_code } = await start();
      await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), user_code, 'approve');
      const results = await Promise.all([poll(t, { client_id: tv.id, device_code }), poll(t, { client_id: tv.id, device_code })]);
      expect(results.map((res) => res.statusCode).sort()).toEqual([200, 400]);
    });

    it('adds an ID token when the scopes include openid', async () => {
      const { device_code, user_code } = await start('openid profile');
      await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), user_code, 'approve');
      const res = await poll(t, { client_id: tv.id, device_code });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.json())).toEqual(['token_type', 'expires_in', 'access_token', 'refresh_token', 'id_token']);
    });

    it('answers access_denied once the user denied', async () => {
      const { device_code, user_code } = await start();
      expect((await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), user_code, 'deny')).statusCode).toBe(200);
      const res = await poll(t, { client_id: tv.id, device_code });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(ACCESS_DENIED);
    });

    it('answers expired_token after the code expired', async () => {
      const { device_code } = await start();
      await t.storage.database.db
        .updateTable('oauth_device_codes')
        .set({ expires_at: '2000-01-01 00:00:00' })
        .where('id', '=', sha256(device_code))
        .execute();
      const res = await poll(t, { client_id: tv.id, device_code });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual(EXPIRED_TOKEN);
    });

    it('refuses an unknown code, a missing one, and the code of another client', async () => {
      const unknown = await poll(t, { client_id: tv.id, device_code: 'not-a-device-code' });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json()).toEqual(invalidGrant('Device code is invalid'));
      const missing = await poll(t, { client_id: tv.id });
      expect(missing.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `device_code` parameter' });
      const { device_code } = await start();
      const other = await poll(t, { device_code }, basic(confidential.id, SECRET));
      expect(other.statusCode).toBe(400);
      expect(other.json()).toEqual(invalidGrant('Device code was not issued to this client'));
      // The other client's attempt did not count as a poll of this one.
      expect((await poll(t, { client_id: tv.id, device_code })).json()).toEqual(AUTHORIZATION_PENDING);
    });

    it('refuses the grant to a client not allowed it', async () => {
      const res = await poll(t, { client_id: machineOnly.id, client_secret: SECRET, device_code: 'x' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'unauthorized_client' });
    });
  });
});

describe('the device authorization endpoint rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_RATE_LIMIT: '2' } });
  });
  afterAll(() => t.close());

  it('answers 429 past TOKEN_RATE_LIMIT requests a minute', async () => {
    const client = await t.storage.repositories.clients.create({ userId: null, name: 'TV', secretHash: null, redirectUris: [] });
    for (let i = 0; i < 2; i += 1) expect((await requestCodes(t, { client_id: client.id })).statusCode).toBe(200);
    const limited = await requestCodes(t, { client_id: client.id });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
  });
});
