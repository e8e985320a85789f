import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Assembly } from '../../src/services.js';
import type { CliSandbox } from './sandbox.js';
import { createSandbox, sandboxDatabases } from './sandbox.js';

// Every test starts the CLI as a child process, several times: allow for a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Access tokens (and refresh tokens) in every state purge has to tell apart. */
async function seed({ storage }: Assembly): Promise<void> {
  const { users, clients, accessTokens, refreshTokens } = storage.repositories;
  const user = await users.create({ name: 'Ann', email: 'ann@example.com', passwordHash: 'x' });
  const client = await clients.create({ userId: null, name: 'App', secretHash: null, redirectUris: [] });
  const now = Date.now();
  const access = async (id: string, expiresIn: number) =>
    accessTokens.create({
      id,
      userId: user.id,
      clientId: client.id,
      name: null,
      scopes: [],
      createdAt: new Date(now - 40 * DAY),
      expiresAt: new Date(now + expiresIn),
      grantId: null,
    });
  const refresh = async (id: string, accessTokenId: string, expiresIn: number) =>
    refreshTokens.create({ id, accessTokenId, expiresAt: new Date(now + expiresIn), grantId: null });

  await access('expired-with-live-refresh', -30 * DAY);
  await refresh('live-refresh', 'expired-with-live-refresh', 10 * DAY);
  await access('expired-alone', -30 * DAY);
  await access('expired-with-dead-refresh', -30 * DAY);
  await refresh('dead-refresh', 'expired-with-dead-refresh', -20 * DAY);
  await access('revoked', HOUR);
  await accessTokens.revoke('revoked');
  await access('live', HOUR);
  await access('recently-expired', -2 * HOUR);
}

async function remaining(s: CliSandbox): Promise<{ access: string[]; refresh: string[] }> {
  return s.withServices(async ({ storage }) => {
    const { db } = storage.database;
    const access = await db.selectFrom('oauth_access_tokens').select('id').orderBy('id').execute();
    const refresh = await db.selectFrom('oauth_refresh_tokens').select('id').orderBy('id').execute();
    return { access: access.map((row) => row.id.trim()), refresh: refresh.map((row) => row.id.trim()) };
  });
}

describe.each(sandboxDatabases)('authgate purge on %s', (database) => {
  let s: CliSandbox;
  beforeEach(async () => {
    s = await createSandbox(database);
    expect((await s.run(['install'])).code).toBe(0);
    await s.withServices(seed);
  });
  afterEach(async () => {
    await s.close();
  });

  it('removes revoked and long-expired tokens, never an expired access token whose refresh token is live', async () => {
    const result = await s.run(['purge']);
    expect(result).toMatchObject({
      code: 0,
      stdout:
        'Purged revoked items and items expired for more than 168 hours.\n' +
        'Access tokens: 3, refresh tokens: 1, authorization codes: 0, device codes: 0.\n',
    });
    expect(await remaining(s)).toEqual({
      access: ['expired-with-live-refresh', 'live', 'recently-expired'],
      refresh: ['live-refresh'],
    });
    // The refresh grant still finds the access token it reads the user, client and scopes from.
    await s.withServices(async ({ storage }) => {
      expect(await storage.repositories.accessTokens.findById('expired-with-live-refresh')).toBeDefined();
    });
  });

  it('--expired --hours N uses N hours of retention and leaves revoked tokens alone', async () => {
    const result = await s.run(['purge', '--expired', '--hours', '1', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ access_tokens: 3, refresh_tokens: 1, auth_codes: 0, device_codes: 0 });
    expect(await remaining(s)).toEqual({
      access: ['expired-with-live-refresh', 'live', 'revoked'],
      refresh: ['live-refresh'],
    });
  });

  it('--revoked removes only revoked tokens', async () => {
    const result = await s.run(['purge', '--revoked']);
    expect(result.stdout).toBe('Purged revoked items.\nAccess tokens: 1, refresh tokens: 0, authorization codes: 0, device codes: 0.\n');
    expect((await remaining(s)).access).toEqual([
      'expired-alone',
      'expired-with-dead-refresh',
      'expired-with-live-refresh',
      'live',
      'recently-expired',
    ]);
  });
});
