import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { UserAccounts } from './accounts/user-accounts.js';
import type { AppCache } from './cache/app-cache.js';
import { createCache } from './cache/create-cache.js';
import type { Config } from './config.js';
import { ConfigError, scopesFromStorage } from './config.js';
import { ClientDirectory } from './oauth/client-directory.js';
import { ScopeRegistry } from './oauth/scopes.js';
import type { KeySet } from './oauth/signing-keys.js';
import { TokenService } from './oauth/token-service.js';
import type { DatabaseHandle } from './storage/database.js';
import { migrateToLatest, openDatabase } from './storage/database.js';
import { loadKeySet } from './storage/key-files.js';
import type { Repositories } from './storage/repositories/index.js';
import { createRepositories } from './storage/repositories/index.js';

/** Everything the HTTP layer and the CLI need, wired once: storage → core. */
export interface Services {
  config: Config;
  /** Secret for cookies, sessions and client secret hashing. */
  appKey: string;
  database: DatabaseHandle;
  repositories: Repositories;
  cache: AppCache;
  keys: KeySet;
  scopes: ScopeRegistry;
  clients: ClientDirectory;
  tokens: TokenService;
  users: UserAccounts;
  /** Shared Redis connection (rate limits, sessions) when REDIS_URL is set. */
  redis: Redis | undefined;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Generate APP_KEY and a signing key into storage/ when absent (the server and `install` do). */
  generateSecrets?: boolean;
  /** Apply pending migrations first. */
  migrate?: boolean;
  /** PostgreSQL schema (tests). */
  databaseSchema?: string;
  now?: () => number;
}

/** The declared scopes; OAUTH_DEFAULT_SCOPES naming an undeclared one is a configuration error. */
function scopeRegistry(config: Config): ScopeRegistry {
  const declared = config.scopes ?? scopesFromStorage(config.storagePath);
  const all = new ScopeRegistry(declared);
  const undeclared = config.defaultScopes.find((scope) => !all.has(scope));
  if (undeclared !== undefined) throw new ConfigError('OAUTH_DEFAULT_SCOPES', `names an undeclared scope "${undeclared}"`);
  return new ScopeRegistry(declared, config.defaultScopes);
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  // Before anything is opened: a bad OAUTH_DEFAULT_SCOPES stops the start with a message, not a trace.
  const scopes = scopeRegistry(config);
  const generate = options.generateSecrets ?? true;
  const appKey = config.appKey ?? loadAppKey(config.storagePath, generate);
  const keys = await loadKeySet(
    { storagePath: config.storagePath, privatePem: config.oauthPrivateKey, publicPem: config.oauthPublicKey },
    { generate },
  );
  const database = openDatabase(config.databaseUrl, { schema: options.databaseSchema });
  try {
    if (options.migrate ?? true) await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const repositories = createRepositories(database.db);
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false })
    : undefined;
  redis?.on('error', () => undefined);
  const cache = createCache({ redisUrl: config.redisUrl, prefix: `${config.redisPrefix}cache:` });
  const clients = new ClientDirectory(repositories.clients, cache);
  const users = new UserAccounts(repositories.users);
  const tokens = new TokenService({
    keys,
    issuer: config.appUrl,
    accessTokens: repositories.accessTokens,
    refreshTokens: repositories.refreshTokens,
    clients,
    users,
    cache,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    config,
    appKey,
    database,
    repositories,
    cache,
    keys,
    scopes,
    clients,
    tokens,
    users,
    redis,
    async close() {
      await cache.close();
      redis?.disconnect();
      await database.close();
    },
  };
}

/** APP_KEY from storage/app.key, generated (mode 0600) on first start. */
function loadAppKey(storagePath: string, generate: boolean): string {
  const file = join(storagePath, 'app.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!generate) throw new Error('APP_KEY is not set and storage/app.key does not exist: run "authgate install"');
  mkdirSync(storagePath, { recursive: true });
  const key = `base64:${randomBytes(32).toString('base64')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
