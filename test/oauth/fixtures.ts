import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import type { ClientAuthDeps } from '../../src/oauth/client-authentication.js';
import { OAuthError } from '../../src/oauth/errors.js';
import type { Client, NewClient } from '../../src/oauth/ports.js';
import { generateClientSecret, hashClientSecret } from '../../src/oauth/secrets.js';
import { opaqueToken, sha256 } from '../../src/oauth/random-tokens.js';
import type { Assembly, Services } from '../../src/services.js';
import { assembleServices } from '../../src/services.js';
import type { StoredUser } from '../../src/accounts/ports.js';
import { POSTGRES_URL, uniqueName } from '../helpers/services.js';

export const REDIRECT_URI = 'https://app.example/callback';

export interface ClientWithSecret {
  client: Client;
  secret: string;
}

/** A confidential third-party client with a fresh secret, stored hashed as the API stores it. */
export async function confidentialClient(h: Assembly, overrides: Partial<NewClient> = {}): Promise<ClientWithSecret> {
  const secret = generateClientSecret();
  const client = await h.storage.repositories.clients.create({
    userId: null,
    name: 'Third Party',
    secretHash: hashClientSecret(secret, h.services.appKey),
    redirectUris: [REDIRECT_URI],
    ...overrides,
  });
  return { client, secret };
}

/** A public client (no secret), as a SPA or native app registers. */
export async function publicClient(h: Assembly, overrides: Partial<NewClient> = {}): Promise<Client> {
  return h.storage.repositories.clients.create({
    userId: null,
    name: 'Public App',
    secretHash: null,
    redirectUris: [REDIRECT_URI],
    ...overrides,
  });
}

export async function registeredUser(services: Pick<Services, 'users'>, password = 'correct-horse'): Promise<StoredUser> {
  return services.users.register({ name: 'Ada Lovelace', email: `${uniqueName('ada')}@example.com`, password });
}

export interface CodeOptions {
  client: Client;
  user: StoredUser;
  scopes?: string[];
  /** The redirect_uri sent to /oauth/authorize; null when it was omitted. */
  redirectUri?: string | null;
  codeChallenge?: string | null;
  codeChallengeMethod?: 'S256' | 'plain' | null;
  nonce?: string | null;
  expiresInSeconds?: number;
}

/** Inserts an authorization code row exactly as the authorize endpoint does; returns the code. */
export async function insertCode(h: Assembly, options: CodeOptions): Promise<string> {
  const code = opaqueToken(32);
  await h.storage.repositories.authCodes.create({
    id: sha256(code),
    userId: options.user.id,
    clientId: options.client.id,
    scopes: options.scopes ?? ['users:read'],
    expiresAt: new Date(Date.now() + (options.expiresInSeconds ?? 600) * 1000),
    redirectUri: options.redirectUri === undefined ? REDIRECT_URI : options.redirectUri,
    codeChallenge: options.codeChallenge ?? null,
    codeChallengeMethod: options.codeChallengeMethod ?? null,
    nonce: options.nonce ?? null,
    authTime: Math.floor(Date.now() / 1000),
  });
  return code;
}

/** A PKCE verifier of 43 unreserved characters. */
export function codeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

export function form(params: Record<string, string>): { payload: string; headers: Record<string, string> } {
  return { payload: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/** The payload of a JWT, without verifying it (tests verify signatures separately). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The services and their parts on a fresh database, without the HTTP app. */
export interface CoreServices extends Assembly {
  /** What client authentication reads, for tests of it alone. */
  clientAuth: ClientAuthDeps;
  close(): Promise<void>;
}

/** Services on a fresh database without the HTTP app, for core tests (SQLite, or PostgreSQL). */
export async function coreServices(database: 'sqlite' | 'postgres' = 'sqlite', env: Record<string, string> = {}): Promise<CoreServices> {
  const storagePath = mkdtempSync(join(tmpdir(), 'authgate-core-'));
  const schema = database === 'postgres' ? uniqueName('authgate_test') : undefined;
  const config = loadConfig({
    STORAGE_PATH: storagePath,
    APP_URL: 'http://localhost:8000',
    DATABASE_URL: database === 'postgres' ? (POSTGRES_URL ?? '') : 'sqlite::memory:',
    ...env,
  });
  const assembly = await assembleServices(config, { generateSecrets: true, migrate: true, databaseSchema: schema }).catch((error: unknown) => {
    // A set-up that fails leaves no folder behind either.
    rmSync(storagePath, { recursive: true, force: true });
    throw error;
  });
  const { services, storage, core } = assembly;
  return {
    ...assembly,
    clientAuth: { appKey: services.appKey, clients: core.clientDirectory, clientStore: storage.repositories.clients },
    async close() {
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(storage.database.db);
      await services.close();
      rmSync(storagePath, { recursive: true, force: true });
    },
  };
}

/** The OAuthError a promise rejects with (fails the test if it resolves or throws something else). */
export async function oauthFailure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${String(error)}`);
  return error;
}
