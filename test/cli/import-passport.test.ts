import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import SQLite from 'better-sqlite3';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKeyPair } from '../../src/oauth/signing-keys.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import { verifyClientSecret } from '../../src/oauth/secrets.js';
import type { Storage } from '../../src/storage/open-storage.js';
import { openDatabase } from '../../src/storage/database.js';
import { writeKeyFiles } from '../../src/storage/key-files.js';
import { flagOf, timestamp } from '../../src/storage/passport-rows.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import { toDbTimestamp } from '../../src/storage/timestamps.js';
import { POSTGRES_URL } from '../helpers/services.js';
import type { PassportFixture, SourceKind } from './passport-fixture.js';
import { MYSQL_URL, PASSPORT_12_DDL, createPassportDatabase } from './passport-fixture.js';
import type { CliSandbox, SandboxDatabase } from './sandbox.js';
import { createSandbox } from './sandbox.js';

// Child processes, bcrypt and several databases: allow for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

if (!MYSQL_URL) console.warn('[skip] MariaDB import:passport tests skipped: TEST_MYSQL_URL is not set');

const IMPORTED = ['users', 'oauth_clients', 'oauth_personal_access_clients', 'oauth_access_tokens', 'oauth_refresh_tokens'] as const;

/** What a Passport 12 application holds; ids as Passport made them. */
const passport = {
  ada: { id: 1, email: 'ada@example.com', password: 'ada-password-1' },
  grace: { id: 7, email: 'grace@example.com', password: 'grace-password-7' },
  personalClient: randomUUID(),
  codeClient: randomUUID(),
  codeSecret: 'Qm8xT2vLp4ZrN6sK1wYc9HbE3uJfA7dGiR5oVnXe',
  passwordClient: randomUUID(),
  // Passport < 11 (or without hashClientSecrets) kept the secret in plain text.
  passwordSecret: 'pLaInSeCrEt0123456789abcdefghijklmnopqrs',
  liveToken: randomBytes(40).toString('hex'),
  revokedToken: randomBytes(40).toString('hex'),
  refreshToken: randomBytes(40).toString('hex'),
};

/** Laravel's bcrypt: the same algorithm, written with the `$2y$` prefix. */
async function laravelHash(value: string): Promise<string> {
  return (await bcryptHash(value, 10)).replace(/^\$2b\$/, '$2y$');
}

async function seedPassport12(source: PassportFixture): Promise<void> {
  await source.exec(PASSPORT_12_DDL[source.kind]);
  const { db } = source;
  const future = toDbTimestamp(new Date(Date.now() + 365 * 86400_000));
  await db.insertInto('users').values([
    { id: 1, name: 'Ada Lovelace', email: passport.ada.email, email_verified_at: '2024-03-01 09:00:00', password: await laravelHash(passport.ada.password), remember_token: 'r3m3mb3r', created_at: '2024-03-01 08:59:00', updated_at: '2024-03-02 10:00:00' },
    { id: 7, name: 'Grace Hopper', email: passport.grace.email, email_verified_at: null, password: await laravelHash(passport.grace.password), remember_token: null, created_at: '2024-05-02 10:11:12', updated_at: '2024-05-02 10:11:12' },
  ]).execute();
  const client = (id: string, fields: Record<string, unknown>) => ({
    id, user_id: null, provider: null, redirect: 'http://localhost', personal_access_client: 0, password_client: 0, revoked: 0,
    created_at: '2024-01-10 12:00:00', updated_at: '2024-01-10 12:00:00', ...fields,
  });
  await db.insertInto('oauth_clients').values([
    client(passport.personalClient, { name: 'Laravel Personal Access Client', secret: await laravelHash('unused-personal-secret-0123456789abcdefgh'), personal_access_client: 1 }),
    client(passport.codeClient, { name: 'Grace App', user_id: 7, secret: await laravelHash(passport.codeSecret), redirect: 'https://app.example/callback,https://app.example/alt' }),
    client(passport.passwordClient, { name: 'Laravel Password Grant Client', secret: passport.passwordSecret, provider: 'users', password_client: 1 }),
  ]).execute();
  await db.insertInto('oauth_personal_access_clients').values({ id: 1, client_id: passport.personalClient, created_at: '2024-01-10 12:00:00', updated_at: '2024-01-10 12:00:00' }).execute();
  await db.insertInto('oauth_access_tokens').values([
    { id: passport.liveToken, user_id: 7, client_id: passport.personalClient, name: 'cli', scopes: '["*"]', revoked: 0, created_at: '2024-06-01 08:00:00', updated_at: '2024-06-01 08:00:00', expires_at: future },
    { id: passport.revokedToken, user_id: 1, client_id: passport.codeClient, name: null, scopes: '["users:read"]', revoked: 1, created_at: '2024-06-01 09:00:00', updated_at: '2024-06-01 09:30:00', expires_at: '2024-06-01 10:00:00' },
  ]).execute();
  await db.insertInto('oauth_refresh_tokens').values({ id: passport.refreshToken, access_token_id: passport.revokedToken, revoked: 1, expires_at: '2024-07-01 09:00:00' }).execute();
  await db.insertInto('oauth_auth_codes').values({ id: randomBytes(40).toString('hex'), user_id: 7, client_id: passport.codeClient, scopes: '[]', revoked: 0, expires_at: future }).execute();
  await db.insertInto('sessions').values({ id: 'laravel-session', user_id: 7, ip_address: '127.0.0.1', user_agent: 'test', payload: 'e30=', last_activity: 1717228800 }).execute();
}

/** A token exactly as Passport 12 issues it: RS256, no kid, fractional iat/nbf/exp (lcobucci/jwt). */
async function passportJwt(privatePem: string, claims: { jti: string; clientId: string; sub: string; scopes: string[] }) {
  const now = Date.now() / 1000;
  return new SignJWT({ aud: claims.clientId, jti: claims.jti, iat: now - 5.25, nbf: now - 5.25, exp: now + 3600.5, sub: claims.sub, scopes: claims.scopes })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .sign(createPrivateKey(privatePem));
}

type Snapshot = Record<string, unknown[]>;
async function snapshot(storage: Storage): Promise<Snapshot> {
  const db = storage.database.db;
  const out: Snapshot = {};
  for (const table of IMPORTED) out[table] = await db.selectFrom(table).selectAll().orderBy('id').execute();
  return out;
}

interface Counts {
  inserted: number;
  updated: number;
}
interface ImportJson {
  source: string;
  tables: Record<(typeof IMPORTED)[number], Counts>;
  skipped: string[];
  warnings: string[];
}

const variants: { source: SourceKind; target: SandboxDatabase }[] = [
  { source: 'sqlite', target: 'sqlite' },
  ...(MYSQL_URL ? [{ source: 'mysql' as const, target: 'sqlite' as const }] : []),
  ...(POSTGRES_URL ? [{ source: 'postgres' as const, target: 'postgres' as const }] : []),
];

describe.each(variants)('authgate import:passport from $source into $target', ({ source: kind, target }) => {
  let source: PassportFixture;
  let sandbox: CliSandbox;
  let privatePem: string;
  let before: Snapshot;

  beforeAll(async () => {
    source = await createPassportDatabase(kind);
    await seedPassport12(source);
    sandbox = await createSandbox(target);
    // As the README tells: Passport's RSA key pair copied into storage/, then install.
    const pair = generateKeyPair('rsa', 2048);
    privatePem = pair.privatePem;
    writeKeyFiles(sandbox.storagePath, pair);
    const install = await sandbox.run(['install']);
    expect(install.stdout).toContain('Encryption keys already exist.');
  });
  afterAll(async () => {
    await source?.close();
    await sandbox?.close();
  });

  it('copies users, clients and tokens with their ids, prints counts and the reminders', async () => {
    const result = await sandbox.run(['import:passport', source.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Imported from (sqlite|mysql|postgres):/);
    expect(lines[0]).not.toContain('@127.0.0.1:3306/test');
    expect(lines.slice(1, 8)).toEqual([
      expect.stringMatching(/^Table\s+New\s+Updated$/),
      expect.stringMatching(/^-+\s+-+\s+-+$/),
      expect.stringMatching(/^users\s+2\s+0$/),
      expect.stringMatching(/^oauth_clients\s+3\s+0$/),
      expect.stringMatching(/^oauth_personal_access_clients\s+1\s+0$/),
      expect.stringMatching(/^oauth_access_tokens\s+2\s+0$/),
      expect.stringMatching(/^oauth_refresh_tokens\s+1\s+0$/),
    ]);
    expect(result.stdout).toContain('Not imported: oauth_auth_codes (authorization codes live for minutes; those logins start again).');
    expect(result.stdout).toContain('Not imported: sessions (users log in again).');
    expect(result.stdout).toContain("Copy Passport's storage/oauth-private.key and storage/oauth-public.key into Authgate's storage/");
    expect(result.stdout).toContain('Refresh tokens issued by Passport cannot be redeemed at Authgate');

    await sandbox.withServices(async ({ storage }) => {
      const { users, clients, accessTokens } = storage.repositories;
      const grace = await users.findById(7);
      expect(grace).toMatchObject({ name: 'Grace Hopper', email: passport.grace.email, emailVerifiedAt: null });
      expect(grace?.passwordHash).toMatch(/^\$2y\$10\$/);
      expect(grace?.createdAt.toISOString()).toBe('2024-05-02T10:11:12.000Z');
      expect((await users.findById(1))?.emailVerifiedAt?.toISOString()).toBe('2024-03-01T09:00:00.000Z');

      const code = await clients.findById(passport.codeClient);
      expect(code).toMatchObject({
        userId: 7,
        name: 'Grace App',
        redirectUris: ['https://app.example/callback', 'https://app.example/alt'],
        personalAccessClient: false,
        passwordClient: false,
        revoked: false,
        grantTypes: null,
      });
      expect(code?.secretHash).toMatch(/^\$2y\$/);
      expect(await clients.findById(passport.passwordClient)).toMatchObject({ passwordClient: true, provider: 'users', secretHash: passport.passwordSecret });
      // Passport's personal access client is the one used from now on, next to the one install made.
      expect((await clients.findPersonalAccessClient())?.id).toBe(passport.personalClient);

      expect(await accessTokens.findById(passport.liveToken)).toMatchObject({ userId: 7, clientId: passport.personalClient, name: 'cli', scopes: ['*'], revoked: false });
      expect(await accessTokens.findById(passport.revokedToken)).toMatchObject({ revoked: true, scopes: ['users:read'] });

      // Only the hash of Passport's refresh token id is stored.
      const refresh = await storage.database.db.selectFrom('oauth_refresh_tokens').select(['id', 'access_token_id', 'revoked', 'expires_at', 'grant_id']).execute();
      expect(refresh).toEqual([{ id: sha256(passport.refreshToken), access_token_id: passport.revokedToken, revoked: expect.anything(), expires_at: '2024-07-01 09:00:00', grant_id: null }]);
      expect(Boolean(refresh[0]?.revoked)).toBe(true);
      before = await snapshot(storage);
    });
  });

  it('run again, it changes nothing and says every row was already there (--json)', async () => {
    const result = await sandbox.run(['import:passport', source.url, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ImportJson;
    expect(report.tables).toEqual({
      users: { inserted: 0, updated: 2 },
      oauth_clients: { inserted: 0, updated: 3 },
      oauth_personal_access_clients: { inserted: 0, updated: 1 },
      oauth_access_tokens: { inserted: 0, updated: 2 },
      oauth_refresh_tokens: { inserted: 0, updated: 1 },
    });
    expect(report.skipped).toEqual(['oauth_auth_codes', 'sessions']);
    expect(report.warnings).toEqual([]);
    // The reminders go to stderr, so stdout stays one JSON object.
    expect(result.stderr).toContain("Copy Passport's storage/oauth-private.key");
    await sandbox.withServices(async ({ storage }) => expect(await snapshot(storage)).toEqual(before));
  });

  it('a Passport user logs in with the old password, and the hash becomes argon2id', async () => {
    await sandbox.withServices(async ({ services, storage }) => {
      expect(await services.users.findByCredentials(passport.grace.email, 'wrong-password')).toBeUndefined();
      expect((await services.users.findByCredentials(passport.grace.email, passport.grace.password))?.id).toBe(7);
      expect((await storage.repositories.users.findById(7))?.passwordHash).toMatch(/^\$argon2id\$/);
      expect((await services.users.findByCredentials(passport.grace.email, passport.grace.password))?.id).toBe(7);
    });
  });

  it("Passport's bcrypt and plain client secrets verify, and come back re-hashed in Authgate's form", async () => {
    await sandbox.withServices(async ({ services, storage }) => {
      const { clients } = storage.repositories;
      for (const [id, secret] of [
        [passport.codeClient, passport.codeSecret],
        [passport.passwordClient, passport.passwordSecret],
      ] as const) {
        const stored = (await clients.findById(id))?.secretHash ?? '';
        expect(await verifyClientSecret(`${secret}x`, stored, services.appKey)).toEqual({ ok: false });
        const check = await verifyClientSecret(secret, stored, services.appKey);
        expect(check).toEqual({ ok: true, rehash: expect.stringMatching(/^hmac-sha256\$[0-9a-f]{64}$/) });
        if (check.ok && check.rehash) await clients.updateSecretHash(id, check.rehash);
        const rehashed = (await clients.findById(id))?.secretHash ?? '';
        expect(await verifyClientSecret(secret, rehashed, services.appKey)).toEqual({ ok: true });
      }
    });
  });

  it('an access token Passport issued validates with the same RSA key; a revoked one does not', async () => {
    const live = await passportJwt(privatePem, { jti: passport.liveToken, clientId: passport.personalClient, sub: '7', scopes: ['*'] });
    const revoked = await passportJwt(privatePem, { jti: passport.revokedToken, clientId: passport.codeClient, sub: '1', scopes: ['users:read'] });
    const unknown = await passportJwt(privatePem, { jti: randomBytes(40).toString('hex'), clientId: passport.personalClient, sub: '7', scopes: ['*'] });
    await sandbox.withServices(async ({ services }) => {
      expect(services.keys.active.alg).toBe('RS256');
      expect(await services.tokens.authenticate(live)).toMatchObject({ tokenId: passport.liveToken, clientId: passport.personalClient, userId: 7, scopes: ['*'] });
      expect(await services.tokens.authenticate(revoked)).toBeUndefined();
      expect(await services.tokens.authenticate(unknown)).toBeUndefined();
    });
  });

  it('a later run brings over changes, but keeps upgraded hashes and never un-revokes', async () => {
    await source.db.updateTable('users').set({ name: 'Ada King', updated_at: '2024-08-01 00:00:00' }).where('id', '=', 1).execute();
    await source.db.updateTable('oauth_clients').set({ revoked: 1 }).where('id', '=', passport.passwordClient).execute();
    await sandbox.withServices(({ core }) => core.tokenService.revokeAccessToken(passport.liveToken));

    const result = await sandbox.run(['import:passport', source.url, '--json']);
    expect(result.code).toBe(0);
    await sandbox.withServices(async ({ storage }) => {
      const { users, clients, accessTokens } = storage.repositories;
      expect((await users.findById(1))?.name).toBe('Ada King');
      expect((await users.findById(7))?.passwordHash).toMatch(/^\$argon2id\$/);
      expect((await clients.findById(passport.codeClient))?.secretHash).toMatch(/^hmac-sha256\$/);
      expect((await clients.findById(passport.passwordClient))?.revoked).toBe(true);
      expect((await accessTokens.findById(passport.liveToken))?.revoked).toBe(true);
    });
  });

  it('users registered after the import get ids after the imported ones', async () => {
    await sandbox.withServices(async ({ services, storage }) => {
      const user = await services.users.register({ name: 'New', email: 'new@example.com', password: 'new-password' });
      expect(user.id).toBe(8);
      await storage.repositories.clients.markPersonalAccessClient(passport.personalClient);
    });
  });
});

describe('authgate import:passport: other Passport versions', () => {
  let sandbox: CliSandbox;
  let source: PassportFixture;
  beforeAll(async () => {
    sandbox = await createSandbox('sqlite');
    expect((await sandbox.run(['install'])).code).toBe(0);
  });
  afterAll(async () => {
    await source?.close();
    await sandbox?.close();
  });

  it('Passport 13: owner_id, redirect_uris and grant_types JSON, the client kind read from its grants', async () => {
    source = await createPassportDatabase('sqlite');
    await source.exec([
      PASSPORT_12_DDL.sqlite[0] ?? '',
      'create table "oauth_clients" ("id" varchar not null, "owner_type" varchar, "owner_id" integer, "name" varchar not null, "secret" varchar, "provider" varchar, "redirect_uris" text not null, "grant_types" text not null, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime, primary key ("id"))',
      'create table "oauth_access_tokens" ("id" varchar not null, "user_id" integer, "client_id" varchar not null, "name" varchar, "scopes" text, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime, "expires_at" datetime, primary key ("id"))',
      'create table "oauth_refresh_tokens" ("id" varchar not null, "access_token_id" varchar not null, "revoked" tinyint(1) not null, "expires_at" datetime, primary key ("id"))',
      'create table "oauth_device_codes" ("id" varchar not null, "user_id" integer, "client_id" varchar not null, "user_code" varchar not null, "scopes" text not null, "revoked" tinyint(1) not null, "user_approved_at" datetime, "last_polled_at" datetime, "expires_at" datetime, primary key ("id"))',
    ]);
    const [personal, web, password] = [randomUUID(), randomUUID(), randomUUID()];
    await source.db.insertInto('users').values({ id: 3, name: 'Owner', email: 'owner@example.com', password: await laravelHash('owner-password'), created_at: '2025-01-02T03:04:05.000000Z', updated_at: null }).execute();
    const client = (id: string, fields: Record<string, unknown>) => ({ id, owner_type: null, owner_id: null, secret: null, provider: null, revoked: 0, created_at: '2025-02-01 00:00:00', updated_at: '2025-02-01 00:00:00', ...fields });
    await source.db.insertInto('oauth_clients').values([
      client(personal, { name: 'Personal', redirect_uris: '[]', grant_types: '["personal_access"]' }),
      client(web, { name: 'Web', owner_type: 'App\\Models\\User', owner_id: 3, secret: await laravelHash('web-secret'), redirect_uris: '["https://a.example/cb","https://b.example/cb"]', grant_types: '["authorization_code","refresh_token"]' }),
      client(password, { name: 'Password', redirect_uris: '[]', grant_types: '["password","refresh_token"]' }),
    ]).execute();

    const result = await sandbox.run(['import:passport', source.url, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ImportJson;
    expect(report.tables.oauth_clients).toEqual({ inserted: 3, updated: 0 });
    // Recorded as Passport ≤ 12 did, so personal access tokens keep coming from Passport's client.
    expect(report.tables.oauth_personal_access_clients).toEqual({ inserted: 1, updated: 0 });
    expect(report.skipped).toEqual(['oauth_device_codes']);
    await sandbox.withServices(async ({ storage }) => {
      const { clients, users } = storage.repositories;
      expect((await users.findById(3))?.createdAt.toISOString()).toBe('2025-01-02T03:04:05.000Z');
      expect(await clients.findById(web)).toMatchObject({
        userId: 3,
        redirectUris: ['https://a.example/cb', 'https://b.example/cb'],
        grantTypes: ['authorization_code', 'refresh_token'],
        personalAccessClient: false,
        passwordClient: false,
      });
      expect(await clients.findById(password)).toMatchObject({ passwordClient: true, secretHash: null, redirectUris: [] });
      expect((await clients.findPersonalAccessClient())?.id).toBe(personal);
    });
    const again = JSON.parse((await sandbox.run(['import:passport', source.url, '--json'])).stdout) as ImportJson;
    expect(again.tables.oauth_personal_access_clients).toEqual({ inserted: 0, updated: 1 });
  });
});

describe('authgate import:passport: Passport < 9, integer client ids', () => {
  it('keeps integer client ids as strings, and their tokens keep validating', async () => {
    const sandbox = await createSandbox('sqlite');
    const source = await createPassportDatabase('sqlite');
    try {
      const pair = generateKeyPair('rsa', 2048);
      writeKeyFiles(sandbox.storagePath, pair);
      expect((await sandbox.run(['install'])).code).toBe(0);
      await source.exec([
        PASSPORT_12_DDL.sqlite[0] ?? '',
        'create table "oauth_clients" ("id" integer primary key autoincrement not null, "user_id" integer, "name" varchar not null, "secret" varchar not null, "redirect" text not null, "personal_access_client" tinyint(1) not null, "password_client" tinyint(1) not null, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime)',
        'create table "oauth_access_tokens" ("id" varchar not null, "user_id" integer, "client_id" integer not null, "name" varchar, "scopes" text, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime, "expires_at" datetime, primary key ("id"))',
      ]);
      await source.db.insertInto('users').values({ id: 5, name: 'Old', email: 'old@example.com', password: await laravelHash('old-password'), created_at: '2019-01-01 00:00:00', updated_at: '2019-01-01 00:00:00' }).execute();
      await source.db.insertInto('oauth_clients').values([
        { id: 1, user_id: null, name: 'Personal', secret: 'a'.repeat(40), redirect: 'http://localhost', personal_access_client: 1, password_client: 0, revoked: 0, created_at: null, updated_at: null },
        { id: 2, user_id: 5, name: 'Legacy App', secret: 'b'.repeat(40), redirect: 'https://legacy.example/cb', personal_access_client: 0, password_client: 0, revoked: 0, created_at: null, updated_at: null },
      ]).execute();
      const jti = randomBytes(40).toString('hex');
      await source.db.insertInto('oauth_access_tokens').values({ id: jti, user_id: 5, client_id: 2, name: null, scopes: '[]', revoked: 0, created_at: '2019-01-01 00:00:00', updated_at: '2019-01-01 00:00:00', expires_at: '2099-01-01 00:00:00' }).execute();

      const result = await sandbox.run(['import:passport', source.url, '--json']);
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as ImportJson).tables.oauth_clients).toEqual({ inserted: 2, updated: 0 });
      const jwt = await passportJwt(pair.privatePem, { jti, clientId: '2', sub: '5', scopes: [] });
      await sandbox.withServices(async ({ services, storage }) => {
        expect(await storage.repositories.clients.findById('2')).toMatchObject({ id: '2', userId: 5, name: 'Legacy App', provider: null });
        expect(await storage.repositories.accessTokens.findById(jti)).toMatchObject({ clientId: '2', userId: 5 });
        expect(await services.tokens.authenticate(jwt)).toMatchObject({ tokenId: jti, clientId: '2', userId: 5 });
      });
    } finally {
      await source.close();
      await sandbox.close();
    }
  });
});

describe('authgate import:passport: refusals', () => {
  let sandbox: CliSandbox;
  beforeAll(async () => {
    sandbox = await createSandbox('sqlite');
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  const targetFile = () => join(sandbox.storagePath, 'db.sqlite');

  it.each([
    ['nope://db.example/passport', 'Unsupported database "nope"; expected mysql://user:pass@host:3306/db, postgres://user:pass@host:5432/db or sqlite:<path>.\n'],
    ['not a url', '"not a url" is not a database URL; expected mysql://user:pass@host:3306/db, postgres://user:pass@host:5432/db or sqlite:<path>.\n'],
    ['mysql://root@127.0.0.1:3306', '"mysql://root@127.0.0.1:3306" names no database; expected mysql://user:pass@host:3306/db, postgres://user:pass@host:5432/db or sqlite:<path>.\n'],
    ['sqlite:/nonexistent/passport.sqlite', 'There is no SQLite database at /nonexistent/passport.sqlite.\n'],
  ])('a bad source URL (%s) is exit 2 with a message, and nothing is written', async (url, message) => {
    const result = await sandbox.run(['import:passport', url]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
    expect(existsSync(targetFile())).toBe(false);
  });

  it('a missing source argument is exit 2', async () => {
    const result = await sandbox.run(['import:passport']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'source'");
  });

  it('an unreachable server is exit 1, named without its password, and nothing is written', async () => {
    const result = await sandbox.run(['import:passport', 'postgres://laravel:hunter2@127.0.0.1:1/passport']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Cannot read the Passport database postgres:\/\/laravel:\*\*\*@127\.0\.0\.1:1\/passport: /);
    expect(result.stderr).not.toContain('hunter2');
    expect(existsSync(targetFile())).toBe(false);
  });

  it('a database without Passport tables is exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'not-passport-'));
    try {
      const file = join(dir, 'app.sqlite');
      const app = new SQLite(file);
      app.exec('create table posts (id integer primary key)');
      app.close();
      const result = await sandbox.run(['import:passport', `sqlite:${file}`]);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toBe('The source has no oauth_clients table: it is not a Laravel Passport database. Nothing was imported.\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a user id already taken by someone who registered in Authgate stops the import, and nothing is written', async () => {
    const source = await createPassportDatabase('sqlite');
    try {
      await seedPassport12(source);
      const created = await sandbox.run(['user:create', '--name', 'Local', '--email', 'local@example.com', '--password', 'local-password', '--json']);
      expect((JSON.parse(created.stdout) as { id: number }).id).toBe(1);
      const result = await sandbox.run(['import:passport', source.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^User 1 already exists in Authgate and is not the Passport user with that id \(created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\. Nothing was imported\.\n$/);
      const target = openDatabase(sandbox.env.DATABASE_URL ?? '');
      try {
        const repositories = createRepositories(target.db);
        expect(await repositories.clients.listAll()).toEqual([]);
        expect(await repositories.users.findById(7)).toBeUndefined();
        expect((await repositories.users.findById(1))?.email).toBe('local@example.com');
      } finally {
        await target.close();
      }
    } finally {
      await source.close();
    }
  });
});

describe('Passport column values, whatever the driver returns', () => {
  it('reads timestamps as UTC text', () => {
    expect(timestamp(new Date('2024-05-02T10:11:12.345Z'), 'x')).toBe('2024-05-02 10:11:12');
    expect(timestamp('2024-05-02 10:11:12', 'x')).toBe('2024-05-02 10:11:12');
    expect(timestamp('2024-05-02 10:11:12.999999', 'x')).toBe('2024-05-02 10:11:12');
    expect(timestamp('2024-05-02T10:11:12.000000Z', 'x')).toBe('2024-05-02 10:11:12');
    expect(timestamp('2024-05-02 12:11:12+02:00', 'x')).toBe('2024-05-02 10:11:12');
    expect(timestamp(null, 'x')).toBeNull();
    expect(timestamp('0000-00-00 00:00:00', 'x')).toBeNull();
    expect(timestamp(new Date(Number.NaN), 'x')).toBeNull();
    expect(() => timestamp('yesterday', 'users row 3, created_at')).toThrow('users row 3, created_at: unreadable timestamp "yesterday".');
  });

  it('reads booleans as 0/1', () => {
    for (const yes of [1, true, '1', 't', 'true', Buffer.from([1])]) expect(flagOf(yes)).toBe(1);
    for (const no of [0, false, '0', 'f', null, undefined, Buffer.from([0])]) expect(flagOf(no)).toBe(0);
  });
});
