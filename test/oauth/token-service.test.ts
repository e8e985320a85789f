import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { generateKeyPair } from '../../src/oauth/signing-keys.js';
import { assembleServices } from '../../src/services.js';
import type { Assembly } from '../../src/services.js';
import { createKeyFiles, loadKeySet } from '../../src/storage/key-files.js';
import { toDbTimestamp } from '../../src/storage/timestamps.js';
import { hash as bcryptHash } from '@node-rs/bcrypt';

const opened: Assembly[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.services.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder removed after the test. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function services(env: Record<string, string> = {}, now?: () => number): Promise<Assembly> {
  const storagePath = tempDir('authgate-core-');
  const config = loadConfig({ STORAGE_PATH: storagePath, DATABASE_URL: 'sqlite::memory:', APP_URL: 'https://auth.example.com', ...env });
  const created = await assembleServices(config, now ? { now } : {});
  opened.push(created);
  return created;
}

async function userAndClient(s: Assembly) {
  const user = await s.services.users.register({ name: 'Ada', email: 'ada@example.com', password: 'correct horse' });
  const client = await s.storage.repositories.clients.create({ userId: null, name: 'App', secretHash: null, redirectUris: [] });
  return { user, client };
}

describe('access tokens', () => {
  it('carry Passport claims plus iss, client_id and scope, typed at+jwt with the key id', async () => {
    const s = await services();
    const { user, client } = await userAndClient(s);
    const { jwt, record } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: ['users:read'], ttlSeconds: 3600 });
    const header = decodeProtectedHeader(jwt);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: s.services.keys.active.kid });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({
      aud: client.id,
      jti: record.id,
      sub: String(user.id),
      scopes: ['users:read'],
      scope: 'users:read',
      client_id: client.id,
      iss: 'https://auth.example.com',
    });
    for (const claim of ['iat', 'nbf', 'exp'] as const) expect(Number.isInteger(claims[claim])).toBe(true);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(await s.storage.repositories.accessTokens.findById(record.id)).toMatchObject({ userId: user.id, revoked: false });
  });

  it('use the client id as subject for a client credentials token (RFC 9068)', async () => {
    const s = await services();
    const { client } = await userAndClient(s);
    const { jwt } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: null, scopes: [], ttlSeconds: 60 });
    expect(decodeJwt(jwt).sub).toBe(client.id);
    expect(await s.services.tokens.authenticate(jwt)).toMatchObject({ clientId: client.id, userId: null });
  });

  it('are refused once revoked, expired, tampered with, or when their client is revoked', async () => {
    let clock = Date.now();
    const s = await services({}, () => clock);
    const { user, client } = await userAndClient(s);
    const issue = () => s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 60 });

    const revoked = await issue();
    expect(await s.services.tokens.authenticate(revoked.jwt)).toBeDefined();
    await s.core.tokenService.revokeAccessToken(revoked.record.id);
    expect(await s.services.tokens.authenticate(revoked.jwt)).toBeUndefined();

    const tampered = await issue();
    const [h, p, sig] = tampered.jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(tampered.jwt), scopes: ['*'] })).toString('base64url');
    expect(await s.services.tokens.authenticate(`${h}.${forged}.${sig}`)).toBeUndefined();
    expect(p).not.toBe(forged);

    const expiring = await issue();
    clock += 60_000;
    expect(await s.services.tokens.authenticate(expiring.jwt)).toBeUndefined();

    const live = await issue();
    expect(await s.services.tokens.authenticate(live.jwt)).toBeDefined();
    const jtis = await s.storage.repositories.clients.revoke(client.id);
    await s.core.tokenService.markRevoked(jtis);
    await s.core.clientDirectory.invalidate(client.id);
    expect(await s.services.tokens.authenticate(live.jwt)).toBeUndefined();
  });

  it('once verified, skip no check on their next use: expiry, revocation and the client are checked every time', async () => {
    let clock = Date.now();
    const s = await services({}, () => clock);
    const { user, client } = await userAndClient(s);
    const issue = () => s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 60 });

    // A token is remembered from its second use on: the third is answered from memory.
    const expiring = await issue();
    for (let i = 0; i < 3; i++) expect(await s.services.tokens.authenticate(expiring.jwt)).toBeDefined();
    clock += 60_000;
    expect(await s.services.tokens.authenticate(expiring.jwt)).toBeUndefined();

    const revoked = await issue();
    for (let i = 0; i < 3; i++) expect(await s.services.tokens.authenticate(revoked.jwt)).toBeDefined();
    await s.core.tokenService.revokeAccessToken(revoked.record.id);
    expect(await s.services.tokens.authenticate(revoked.jwt)).toBeUndefined();

    // The same signature on other claims is still a forgery, verified before or not.
    const [h, , sig] = revoked.jwt.split('.');
    const live = await issue();
    const [, livePayload] = live.jwt.split('.');
    expect(await s.services.tokens.authenticate(`${h}.${livePayload}.${sig}`)).toBeUndefined();
    expect(await s.services.tokens.authenticate(live.jwt)).toBeDefined();
  });

  it('are recognised as issued by the print their state keeps, and any other string must carry a valid signature', async () => {
    const s = await services();
    const { user, client } = await userAndClient(s);
    const issued = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: ['read'], ttlSeconds: 60 });
    const state = await s.cache.get<{ print?: string }>(`token:${issued.record.id}`);
    expect(state?.print).toMatch(/^[0-9a-f]{32}$/);
    expect((await s.services.tokens.authenticate(issued.jwt))?.scopes).toEqual(['read']);

    // Our signature on other claims of the same token id: neither the print nor the signature holds.
    const [header, payload, signature] = issued.jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scopes: ['read', 'admin'], scope: 'read admin' })).toString('base64url');
    expect(await s.services.tokens.authenticate(`${header}.${widened}.${signature}`)).toBeUndefined();
    // The issued claims signed with another key under our key id.
    const stranger = createPrivateKey(generateKeyPair().privatePem);
    const foreign = await new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(issued.jwt) as { alg: string }).sign(stranger);
    expect(await s.services.tokens.authenticate(foreign)).toBeUndefined();

    // A state without a print (written by an older version, or read back from the database): the signature decides.
    await s.cache.put(`token:${issued.record.id}`, { user: user.id, client: client.id, scopes: ['read'], audience: [client.id] }, 60);
    expect(await s.services.tokens.authenticate(issued.jwt)).toBeDefined();
    expect(await s.services.tokens.authenticate(`${header}.${widened}.${signature}`)).toBeUndefined();
  });

  it("carry the token's user as stored (no password hash), and none for a machine client", async () => {
    const s = await services();
    const { user, client } = await userAndClient(s);
    const { jwt } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 60 });
    const first = await s.services.tokens.authenticate(jwt);
    const again = await s.services.tokens.authenticate(jwt);
    const profile = { id: user.id, name: 'Ada', email: 'ada@example.com', emailVerifiedAt: null, createdAt: user.createdAt, updatedAt: user.updatedAt };
    expect(first?.user).toEqual(profile);
    expect(again?.user).toEqual(profile);
    expect(again?.user).not.toHaveProperty('passwordHash');
    const machine = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: null, scopes: [], ttlSeconds: 60 });
    expect((await s.services.tokens.authenticate(machine.jwt))?.user).toBeNull();
  });

  it("show a user's change at once: a password rehashed at login drops the cached profile", async () => {
    const s = await services();
    const { user, client } = await userAndClient(s);
    // An account imported from Passport: a bcrypt hash, last updated long ago.
    await s.storage.database.db
      .updateTable('users')
      .set({ password: await bcryptHash('correct horse', 4), updated_at: toDbTimestamp(new Date('2020-01-02T03:04:05Z')) })
      .where('id', '=', user.id)
      .execute();
    await s.cache.forget(`user:${user.id}`);
    const { jwt } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 60 });
    expect((await s.services.tokens.authenticate(jwt))?.user?.updatedAt.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect((await s.services.users.login('ada@example.com', 'correct horse', '127.0.0.1')).status).toBe('valid');
    expect((await s.services.tokens.authenticate(jwt))?.user?.updatedAt.getFullYear()).toBeGreaterThan(2020);
  });

  it('are refused when the row is missing or the user no longer exists', async () => {
    const s = await services();
    const { user, client } = await userAndClient(s);
    const { jwt, record } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 60 });
    await s.storage.database.db.deleteFrom('users').where('id', '=', user.id).execute();
    expect(await s.services.tokens.authenticate(jwt)).toBeUndefined();

    // A token whose row was never written (or was purged) is not trusted, once the cache forgets it.
    const other = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: null, scopes: [], ttlSeconds: 60 });
    await s.storage.database.db.deleteFrom('oauth_access_tokens').where('id', '=', other.record.id).execute();
    await s.cache.forget(`token:${other.record.id}`);
    expect(await s.services.tokens.authenticate(other.jwt)).toBeUndefined();
    expect(record.id).not.toBe(other.record.id);
  });

  it("accept Passport's own tokens (RS256, typ JWT, no kid, float iat) signed with the configured RSA key", async () => {
    const pair = generateKeyPair('rsa', 2048);
    const s = await services({ OAUTH_PRIVATE_KEY: pair.privatePem, OAUTH_PUBLIC_KEY: pair.publicPem });
    expect(s.services.keys.active.alg).toBe('RS256');
    const { user, client } = await userAndClient(s);
    const jti = 'a'.repeat(80);
    const now = Date.now() / 1000;
    await s.storage.repositories.accessTokens.create({
      id: jti, userId: user.id, clientId: client.id, name: null, scopes: ['*'],
      createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), grantId: null,
    });
    const passportToken = await new SignJWT({ scopes: ['*'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setAudience(client.id).setJti(jti).setSubject(String(user.id))
      .setIssuedAt(now).setNotBefore(now).setExpirationTime(Math.floor(now) + 60)
      .sign(s.services.keys.active.privateKey);
    expect(await s.services.tokens.authenticate(passportToken)).toMatchObject({ tokenId: jti, userId: user.id, scopes: ['*'] });
  });
});

/**
 * Regression: a token signed with the server's own key but with a wrong or missing `iss`, a
 * wrong `aud` or an `iat` in the future was accepted; so was one whose user or scopes differed
 * from the stored token. Every claim must now agree with what was stored for its id.
 */
describe('forged claims under the server key', () => {
  async function forge(s: Assembly, change: (claims: Record<string, unknown>) => void): Promise<string> {
    const { user, client } = await userAndClient(s);
    const { jwt } = await s.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: ['users:read'], ttlSeconds: 600 });
    expect(await s.services.tokens.authenticate(jwt)).toBeDefined();
    const claims = { ...decodeJwt(jwt) } as Record<string, unknown>;
    change(claims);
    return new SignJWT(claims).setProtectedHeader(decodeProtectedHeader(jwt) as { alg: string }).sign(s.services.keys.active.privateKey);
  }

  it.each([
    ['a wrong iss', (c: Record<string, unknown>) => (c.iss = 'https://evil.example')],
    ['no iss', (c: Record<string, unknown>) => delete c.iss],
    ['a wrong aud', (c: Record<string, unknown>) => (c.aud = 'another-client')],
    ['an extra audience', (c: Record<string, unknown>) => (c.aud = [c.aud, 'https://api.example.com'])],
    ['an iat in the future', (c: Record<string, unknown>) => (c.iat = Math.floor(Date.now() / 1000) + 3600)],
    ['an nbf in the future', (c: Record<string, unknown>) => (c.nbf = Math.floor(Date.now() / 1000) + 3600)],
    ['another user', (c: Record<string, unknown>) => (c.sub = String(Number(c.sub) + 1000))],
    ['more scopes', (c: Record<string, unknown>) => (c.scopes = ['users:read', 'users:write'])],
    ['the wildcard scope', (c: Record<string, unknown>) => (c.scopes = ['*'])],
    ['another client', (c: Record<string, unknown>) => (c.client_id = 'another-client')],
    ['no jti', (c: Record<string, unknown>) => delete c.jti],
  ])('refuses %s', async (_name, change) => {
    const s = await services({ APP_URL: 'https://auth.example.com' });
    expect(await s.services.tokens.authenticate(await forge(s, change))).toBeUndefined();
  });

  it('takes the user and scopes from the stored token once the claims agree (a few seconds of clock skew allowed)', async () => {
    const s = await services({ APP_URL: 'https://auth.example.com' });
    const skewed = await forge(s, (c) => (c.iat = Math.floor(Date.now() / 1000) + 5));
    expect(await s.services.tokens.authenticate(skewed)).toMatchObject({ scopes: ['users:read'] });
  });
});

describe('signing keys', () => {
  it('are generated as EC P-256 into storage/ with mode 0600 and a thumbprint kid', async () => {
    const dir = tempDir('authgate-keys-');
    const keys = await loadKeySet({ storagePath: dir }, { generate: true });
    expect(keys.active.alg).toBe('ES256');
    expect(keys.active.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, 'oauth-private.key')).mode & 0o777).toBe(0o600);
    const again = await loadKeySet({ storagePath: dir }, { generate: false });
    expect(again.active.kid).toBe(keys.active.kid);
  });

  it('refuse a private key file other users can read', async () => {
    const dir = tempDir('authgate-keys-');
    await createKeyFiles({ storagePath: dir });
    chmodSync(join(dir, 'oauth-private.key'), 0o644);
    await expect(loadKeySet({ storagePath: dir }, { generate: false })).rejects.toThrow(/readable by other users.*chmod 600/);
  });

  it('pick RS256 for RSA and EdDSA for Ed25519 keys, and refuse other curves', async () => {
    const dir = tempDir('authgate-keys-');
    const rsa = generateKeyPair('rsa', 2048);
    expect((await loadKeySet({ storagePath: dir, privatePem: rsa.privatePem }, { generate: false })).active.alg).toBe('RS256');
    const ed = generateKeyPair('ed25519');
    expect((await loadKeySet({ storagePath: dir, privatePem: ed.privatePem }, { generate: false })).active.alg).toBe('EdDSA');
    const { generateKeyPairSync } = await import('node:crypto');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadKeySet({ storagePath: dir, privatePem: p384 }, { generate: false })).rejects.toThrow(/P-256/);
    writeFileSync(join(dir, 'unused'), '');
  });

  it('rotate without invalidating tokens signed by the retired key', async () => {
    const storagePath = tempDir('authgate-rotate-');
    const env = { STORAGE_PATH: storagePath, DATABASE_URL: `sqlite:${join(storagePath, 'db.sqlite')}` };
    const before = await assembleServices(loadConfig(env));
    const { user, client } = await userAndClient(before);
    const { jwt } = await before.core.tokenService.issueAccessToken({ clientId: client.id, userId: user.id, scopes: [], ttlSeconds: 600 });
    await before.services.close();

    const rotation = await createKeyFiles({ storagePath, rotate: true });
    expect(rotation.status).toBe('rotated');
    const after = await assembleServices(loadConfig(env));
    opened.push(after);
    expect(after.services.keys.active.kid).not.toBe(decodeProtectedHeader(jwt).kid);
    expect(after.services.keys.verification.has(decodeProtectedHeader(jwt).kid!)).toBe(true);
    expect(await after.services.tokens.authenticate(jwt)).toMatchObject({ userId: user.id });
  });
});
