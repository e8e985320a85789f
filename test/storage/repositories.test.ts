import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAccessToken } from '../../src/oauth/ports.js';
import type { DatabaseHandle } from '../../src/storage/database.js';
import type { Repositories } from '../../src/storage/repositories/index.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { flag, fromDbTimestamp, toDbTimestamp } from '../../src/storage/timestamps.js';
import { freshDatabase, testDatabases } from '../helpers/services.js';

const HOUR = 3_600_000;
const at = (offsetMs: number): Date => new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000);

describe('timestamps', () => {
  it('writes UTC text without milliseconds and reads it back as the same instant', () => {
    expect(toDbTimestamp(new Date('2026-11-23T14:31:27.987Z'))).toBe('2026-11-23 14:31:27');
    expect(fromDbTimestamp('2026-11-23 14:31:27')).toEqual(new Date('2026-11-23T14:31:27Z'));
    expect(fromDbTimestamp('2026-11-23T14:31:27.5+02:00')).toEqual(new Date('2026-11-23T12:31:27.5Z'));
    expect(fromDbTimestamp(null)).toBeNull();
    expect(() => fromDbTimestamp('yesterday')).toThrow(/unreadable timestamp/);
    expect([flag(true), flag(false)]).toEqual([1, 0]);
  });
});

describe.each(testDatabases())('repositories on $label', ({ label }) => {
  let handle: DatabaseHandle;
  let repos: Repositories;

  beforeEach(async () => {
    handle = await freshDatabase(label);
    repos = createRepositories(handle.db);
  });
  afterEach(async () => {
    await handle.close();
  });

  const newClient = (userId: number | null = 1, name = 'App') =>
    repos.clients.create({ userId, name, secretHash: 'hmac-sha256$abc', redirectUris: ['https://app.test/cb'] });

  const token = (overrides: Partial<NewAccessToken> = {}): NewAccessToken => ({
    id: `at-${Math.random().toString(36).slice(2)}`,
    userId: 1,
    clientId: 'client',
    name: null,
    scopes: ['users:read'],
    createdAt: at(0),
    expiresAt: at(HOUR),
    grantId: null,
    ...overrides,
  });

  const newCode = (id: string) => ({
    id,
    userId: 7,
    clientId: 'client',
    scopes: ['openid', 'users:read'],
    expiresAt: at(-HOUR),
    redirectUri: 'https://app.test/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    nonce: 'n-0S6_WzA2Mj',
    authTime: 1_700_000_000,
  });

  describe('clients', () => {
    it('round-trips flags, redirect URIs, grant types and dates', async () => {
      const created = await repos.clients.create({
        userId: null,
        name: 'CLI',
        secretHash: null,
        redirectUris: ['https://a.test/cb', 'http://127.0.0.1/cb'],
        personalAccessClient: true,
        skipsAuthorization: true,
        grantTypes: ['client_credentials'],
      });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      const found = await repos.clients.findById(created.id);
      expect(found).toEqual(created);
      expect(found).toMatchObject({
        userId: null,
        secretHash: null,
        redirectUris: ['https://a.test/cb', 'http://127.0.0.1/cb'],
        personalAccessClient: true,
        passwordClient: false,
        revoked: false,
        skipsAuthorization: true,
        grantTypes: ['client_credentials'],
      });
      expect(Math.abs(found!.createdAt.getTime() - Date.now())).toBeLessThan(5000);
      expect(await repos.clients.findById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    });

    it('lists a user\'s unrevoked clients by name, and every client', async () => {
      const zed = await newClient(1, 'Zed');
      await newClient(1, 'Alpha');
      await newClient(2, 'Other user');
      const gone = await newClient(1, 'Gone');
      await repos.clients.revoke(gone.id);
      expect((await repos.clients.listForUser(1)).map((c) => c.name)).toEqual(['Alpha', 'Zed']);
      expect(await repos.clients.listAll()).toHaveLength(4);
      await repos.clients.updateSecretHash(zed.id, 'hmac-sha256$new');
      expect((await repos.clients.findById(zed.id))?.secretHash).toBe('hmac-sha256$new');
    });

    it('updates name and redirect URIs, and reports an unknown client', async () => {
      const client = await newClient();
      const updated = await repos.clients.update(client.id, { name: 'Renamed', redirectUris: ['https://x.test/1', 'https://x.test/2'] });
      expect(updated).toMatchObject({ name: 'Renamed', redirectUris: ['https://x.test/1', 'https://x.test/2'] });
      expect(await repos.clients.update('00000000-0000-0000-0000-000000000000', { name: 'x' })).toBeUndefined();
    });

    it('revoking a client revokes its access tokens and their refresh tokens, and nothing else', async () => {
      const client = await newClient();
      const other = await newClient();
      const live = token({ clientId: client.id });
      const old = token({ clientId: client.id });
      const foreign = token({ clientId: other.id });
      for (const t of [live, old, foreign]) await repos.accessTokens.create(t);
      await repos.accessTokens.revoke(old.id);
      await repos.refreshTokens.create({ id: 'rt-live', accessTokenId: live.id, expiresAt: at(HOUR), grantId: null });
      await repos.refreshTokens.create({ id: 'rt-foreign', accessTokenId: foreign.id, expiresAt: at(HOUR), grantId: null });

      expect(await repos.clients.revoke(client.id)).toEqual([live.id]);
      expect((await repos.clients.findById(client.id))?.revoked).toBe(true);
      expect((await repos.accessTokens.findById(live.id))?.revoked).toBe(true);
      expect((await repos.refreshTokens.findById('rt-live'))?.revoked).toBe(true);
      expect((await repos.accessTokens.findById(foreign.id))?.revoked).toBe(false);
      expect((await repos.refreshTokens.findById('rt-foreign'))?.revoked).toBe(false);
    });

    it('finds the personal access client: the newest marked one, else the newest flagged one', async () => {
      expect(await repos.clients.findPersonalAccessClient()).toBeUndefined();
      const flagged = await repos.clients.create({ userId: null, name: 'Flagged', secretHash: null, redirectUris: [], personalAccessClient: true });
      expect((await repos.clients.findPersonalAccessClient())?.id).toBe(flagged.id);
      const first = await newClient(null, 'First');
      const second = await newClient(null, 'Second');
      await repos.clients.markPersonalAccessClient(first.id);
      await repos.clients.markPersonalAccessClient(second.id);
      expect((await repos.clients.findPersonalAccessClient())?.id).toBe(second.id);
      await repos.clients.revoke(second.id);
      expect((await repos.clients.findPersonalAccessClient())?.id).toBe(first.id);
      await repos.clients.revoke(first.id);
      expect((await repos.clients.findPersonalAccessClient())?.id).toBe(flagged.id);
    });
  });

  describe('access tokens', () => {
    it('round-trips a token and rejects a duplicate id', async () => {
      const created = token({ userId: null, name: 'ci', scopes: ['*'], grantId: 'g1' });
      await repos.accessTokens.create(created);
      expect(await repos.accessTokens.findById(created.id)).toEqual({ ...created, revoked: false, updatedAt: created.createdAt, resources: null });
      await expect(repos.accessTokens.create(created)).rejects.toThrow();
      expect(await repos.accessTokens.findById('nope')).toBeUndefined();
    });

    it('revokes a token with its refresh tokens once', async () => {
      const t = token();
      await repos.accessTokens.create(t);
      await repos.refreshTokens.create({ id: 'rt', accessTokenId: t.id, expiresAt: at(HOUR), grantId: null });
      expect(await repos.accessTokens.revoke(t.id)).toBe(true);
      expect((await repos.accessTokens.findById(t.id))?.revoked).toBe(true);
      expect((await repos.refreshTokens.findById('rt'))?.revoked).toBe(true);
      expect(await repos.accessTokens.revoke(t.id)).toBe(false);
      expect(await repos.accessTokens.revoke('unknown')).toBe(false);
    });

    it('revokes a whole grant (replay defence) and leaves other grants alone', async () => {
      const a = token({ grantId: 'g1' });
      const b = token({ grantId: 'g1' });
      const c = token({ grantId: 'g2' });
      for (const t of [a, b, c]) await repos.accessTokens.create(t);
      await repos.refreshTokens.create({ id: 'rt-a', accessTokenId: a.id, expiresAt: at(HOUR), grantId: 'g1' });
      await repos.refreshTokens.create({ id: 'rt-b', accessTokenId: b.id, expiresAt: at(HOUR), grantId: null });
      await repos.refreshTokens.create({ id: 'rt-c', accessTokenId: c.id, expiresAt: at(HOUR), grantId: 'g2' });
      expect((await repos.accessTokens.revokeGrant('g1')).sort()).toEqual([a.id, b.id].sort());
      expect((await repos.refreshTokens.findById('rt-a'))?.revoked).toBe(true);
      expect((await repos.refreshTokens.findById('rt-b'))?.revoked).toBe(true);
      expect((await repos.refreshTokens.findById('rt-c'))?.revoked).toBe(false);
      expect((await repos.accessTokens.findById(c.id))?.revoked).toBe(false);
      expect(await repos.accessTokens.revokeGrant('g1')).toEqual([]);
    });

    it('lists a user\'s live tokens, personal or not, newest first', async () => {
      const older = token({ clientId: 'third-party', createdAt: at(-2 * HOUR) });
      const newer = token({ clientId: 'third-party', createdAt: at(-HOUR) });
      const personal = token({ clientId: 'pac' });
      const revoked = token({ clientId: 'third-party' });
      const expired = token({ clientId: 'third-party', expiresAt: at(-1000) });
      const otherUser = token({ clientId: 'third-party', userId: 2 });
      for (const t of [older, newer, personal, revoked, expired, otherUser]) await repos.accessTokens.create(t);
      await repos.accessTokens.revoke(revoked.id);
      const ids = async (personalFlag: boolean, personalClientId?: string) =>
        (await repos.accessTokens.listForUser(1, { personal: personalFlag, personalClientId })).map((t) => t.id);
      expect(await ids(false, 'pac')).toEqual([newer.id, older.id]);
      expect(await ids(true, 'pac')).toEqual([personal.id]);
      expect(await ids(false)).toEqual([personal.id, newer.id, older.id]);
      expect(await ids(true)).toEqual([]);
    });
  });

  describe('refresh tokens and authorization codes', () => {
    it('round-trips a refresh token and revokes it', async () => {
      const rt = { id: 'a'.repeat(64), accessTokenId: 'at', expiresAt: at(HOUR), grantId: 'g' };
      await repos.refreshTokens.create(rt);
      expect(await repos.refreshTokens.findById(rt.id)).toEqual({ ...rt, revoked: false, consumedAt: null });
      await repos.refreshTokens.revoke(rt.id);
      expect((await repos.refreshTokens.findById(rt.id))?.revoked).toBe(true);
    });

    it('consumes a refresh token once, expired or not; then it is reused; unknown is missing', async () => {
      await repos.refreshTokens.create({ id: 'rt', accessTokenId: 'at', expiresAt: at(-HOUR), grantId: null });
      const first = await repos.refreshTokens.consume('rt');
      expect(first).toMatchObject({ status: 'consumed', record: { id: 'rt', revoked: true } });
      expect(await repos.refreshTokens.consume('rt')).toMatchObject({ status: 'reused', record: { id: 'rt' } });
      expect(await repos.refreshTokens.consume('nope')).toEqual({ status: 'missing' });
    });

    it('round-trips every field of an authorization code through consume', async () => {
      const code = newCode('c'.repeat(64));
      await repos.authCodes.create(code);
      expect(await repos.authCodes.consume(code.id)).toEqual({ status: 'consumed', record: { ...code, revoked: true, resources: null } });
      expect((await repos.authCodes.consume(code.id)).status).toBe('reused');
      expect(await repos.authCodes.consume('nope')).toEqual({ status: 'missing' });
    });

    it('gives exactly one of 20 concurrent consumers the refresh token', async () => {
      await repos.refreshTokens.create({ id: 'race', accessTokenId: 'at', expiresAt: at(HOUR), grantId: null });
      const results = await Promise.all(Array.from({ length: 20 }, () => repos.refreshTokens.consume('race')));
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'reused')).toHaveLength(19);
    });

    it('gives exactly one of 20 concurrent consumers the authorization code', async () => {
      await repos.authCodes.create(newCode('race'));
      const results = await Promise.all(Array.from({ length: 20 }, () => repos.authCodes.consume('race')));
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'reused')).toHaveLength(19);
    });
  });

  describe('users', () => {
    it('creates a user and reads it back by id and, case-insensitively, by email', async () => {
      const user = await repos.users.create({ name: 'Ada', email: 'Ada.Lovelace@Example.com', passwordHash: '$argon2id$x' });
      expect(user).toMatchObject({ name: 'Ada', email: 'Ada.Lovelace@Example.com', emailVerifiedAt: null, passwordHash: '$argon2id$x' });
      expect(typeof user.id).toBe('number');
      expect(user.createdAt).toBeInstanceOf(Date);
      expect(await repos.users.findById(user.id)).toEqual(user);
      expect(await repos.users.findByEmail('ada.lovelace@example.COM')).toEqual(user);
      expect(await repos.users.emailTaken('ADA.LOVELACE@example.com')).toBe(true);
      expect(await repos.users.emailTaken('grace@example.com')).toBe(false);
      expect(await repos.users.findByEmail('grace@example.com')).toBeUndefined();
      expect(await repos.users.findById(9999)).toBeUndefined();
    });

    it('updates a password hash', async () => {
      const user = await repos.users.create({ name: 'Ada', email: 'ada@example.com', passwordHash: '$2y$10$old' });
      await repos.users.updatePasswordHash(user.id, '$argon2id$new');
      expect((await repos.users.findById(user.id))?.passwordHash).toBe('$argon2id$new');
    });

    it('searches names case-insensitively, by page, ordered by id', async () => {
      for (const name of ['Anna', 'JOANNA', 'Bob', 'hannah', 'Annabel']) {
        await repos.users.create({ name, email: `${name}@example.com`, passwordHash: 'h' });
      }
      const first = await repos.users.searchByName('ANN', { page: 1, perPage: 2 });
      expect(first.total).toBe(4);
      expect(first.rows.map((u) => u.name)).toEqual(['Anna', 'JOANNA']);
      const second = await repos.users.searchByName('ann', { page: 2, perPage: 2 });
      expect(second.rows.map((u) => u.name)).toEqual(['hannah', 'Annabel']);
      expect(await repos.users.searchByName('zzz', { page: 1, perPage: 10 })).toEqual({ rows: [], total: 0 });
    });

    it('matches %, _ and \\ in a search literally, not as wildcards', async () => {
      const names = ['100% Sure', '100 Sure', 'snake_case', 'snakeXcase', 'back\\slash', 'backslash'];
      for (const [i, name] of names.entries()) await repos.users.create({ name, email: `u${i}@example.com`, passwordHash: 'h' });
      const search = async (q: string) => (await repos.users.searchByName(q, { page: 1, perPage: 10 })).rows.map((u) => u.name);
      expect(await search('0%')).toEqual(['100% Sure']);
      expect(await search('e_c')).toEqual(['snake_case']);
      expect(await search('k\\s')).toEqual(['back\\slash']);
    });
  });

  describe('sessions', () => {
    it('saves, updates in place, finds, destroys and garbage-collects sessions', async () => {
      const session = { id: 'hash-1', userId: null, ipAddress: '127.0.0.1', userAgent: 'test', payload: '{}', lastActivity: 1000 };
      await repos.sessions.save(session);
      expect(await repos.sessions.find('hash-1')).toEqual(session);
      const loggedIn = { ...session, userId: 5, payload: '{"csrf":"t"}', lastActivity: 2000 };
      await repos.sessions.save(loggedIn);
      expect(await repos.sessions.find('hash-1')).toEqual(loggedIn);
      await repos.sessions.save({ ...session, id: 'hash-2', lastActivity: 500 });
      expect(await repos.sessions.destroyOlderThan(1500)).toBe(1);
      expect(await repos.sessions.find('hash-2')).toBeUndefined();
      await repos.sessions.destroy('hash-1');
      expect(await repos.sessions.find('hash-1')).toBeUndefined();
    });
  });

  describe('purge', () => {
    const DAY = 24 * HOUR;

    async function seed(): Promise<void> {
      // Access tokens: expired 10 days ago (refresh live / refresh dead), expired 1 day ago, revoked, live.
      await repos.accessTokens.create(token({ id: 'at-kept-by-refresh', expiresAt: at(-10 * DAY) }));
      await repos.refreshTokens.create({ id: 'rt-live', accessTokenId: 'at-kept-by-refresh', expiresAt: at(DAY), grantId: null });
      await repos.accessTokens.create(token({ id: 'at-old', expiresAt: at(-10 * DAY) }));
      await repos.refreshTokens.create({ id: 'rt-old', accessTokenId: 'at-old', expiresAt: at(-9 * DAY), grantId: null });
      await repos.accessTokens.create(token({ id: 'at-recent', expiresAt: at(-DAY) }));
      await repos.accessTokens.create(token({ id: 'at-revoked' }));
      await repos.accessTokens.revoke('at-revoked');
      await repos.accessTokens.create(token({ id: 'at-live' }));
      await repos.authCodes.create({ ...newCode('code-old'), expiresAt: at(-10 * DAY) });
      await repos.authCodes.create({ ...newCode('code-used'), expiresAt: at(HOUR) });
      await repos.authCodes.consume('code-used');
    }

    const remaining = async (): Promise<string[]> => {
      const rows = await handle.db.selectFrom('oauth_access_tokens').select('id').orderBy('id').execute();
      return rows.map((r) => r.id);
    };

    it('never removes an expired access token whose refresh token is live', async () => {
      await seed();
      const counts = await repos.purge.purge({});
      expect(counts).toEqual({ accessTokens: 2, refreshTokens: 1, authCodes: 2, deviceCodes: 0 });
      expect(await remaining()).toEqual(['at-kept-by-refresh', 'at-live', 'at-recent']);
      expect(await repos.refreshTokens.findById('rt-live')).toBeDefined();
      // Once its refresh token is revoked, the expired token goes too.
      await repos.refreshTokens.revoke('rt-live');
      expect((await repos.purge.purge({})).accessTokens).toBe(1);
      expect(await remaining()).toEqual(['at-live', 'at-recent']);
    });

    it('purges only revoked rows with --revoked, only expired ones past --hours with --expired', async () => {
      await seed();
      expect(await repos.purge.purge({ revoked: true })).toEqual({ accessTokens: 1, refreshTokens: 0, authCodes: 1, deviceCodes: 0 });
      expect(await remaining()).toEqual(['at-kept-by-refresh', 'at-live', 'at-old', 'at-recent']);
      expect(await repos.purge.purge({ expired: true, olderThanHours: 1 })).toEqual({
        accessTokens: 2,
        refreshTokens: 1,
        authCodes: 1,
        deviceCodes: 0,
      });
      expect(await remaining()).toEqual(['at-kept-by-refresh', 'at-live']);
    });
  });
});
