import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { Redis } from 'ioredis';
import type { AttemptCounter } from './accounts/login-throttle.js';
import { LoginThrottle, MemoryAttemptCounter, RedisAttemptCounter } from './accounts/login-throttle.js';
import type { SessionStore } from './accounts/sessions.js';
import { DatabaseSessionStore, RedisSessionStore } from './accounts/sessions.js';
import { Users } from './accounts/users.js';
import type { AppCache } from './cache/app-cache.js';
import { createCache } from './cache/create-cache.js';
import { RedisLink } from './cache/redis-link.js';
import type { Config } from './config.js';
import { ConfigError, scopesFromStorage } from './config.js';
import type { Health } from './health.js';
import { createHealth } from './health.js';
import type { OAuthCore } from './oauth/oauth-core.js';
import { createOAuthCore } from './oauth/oauth-core.js';
import { ScopeRegistry } from './oauth/scopes.js';
import { clientMetadataCacheSeconds } from './oauth/client-metadata-cache-policy.js';
import type { ClientMetadataSource } from './oauth/client-metadata-resolver.js';
import { ClientMetadataResolver } from './oauth/client-metadata-resolver.js';
import type { Client, ClientRepository } from './oauth/ports.js';
import { safeFetchJson } from './net/safe-fetch.js';
import type { KeySet } from './oauth/signing-keys.js';
import { cacheKeys } from './oauth/state-cache.js';
import { tokenStateLane } from './oauth/token-service.js';
import type { InitialAccessTokenUseCases } from './oauth/use-cases/initial-access-tokens.js';
import { createInitialAccessTokenUseCases } from './oauth/use-cases/initial-access-tokens.js';
import { ResourceDirectory } from './oauth/resource-indicators.js';
import type { ResourceUseCases } from './oauth/use-cases/resources.js';
import { createResourceUseCases } from './oauth/use-cases/resources.js';
import type { CreateKeysOptions, CreateKeysResult } from './storage/key-files.js';
import { createKeyFiles, loadKeySet } from './storage/key-files.js';
import { migrateToLatest } from './storage/database.js';
import type { PassportImportResult } from './storage/passport-import-job.js';
import { openPassportDatabase } from './storage/passport-import-job.js';
import type { PurgeCounts, PurgeOptions } from './storage/repositories/index.js';
import type { Storage } from './storage/open-storage.js';
import { openStorage } from './storage/open-storage.js';

/**
 * Everything the HTTP layer and the CLI may use, wired once: storage → core → use cases.
 * Routes, pages and commands call these use cases; none of them sees a repository or the
 * database (the linter keeps it so: only this file and src/storage import src/storage).
 */
export interface Services extends Pick<OAuthCore, CoreUseCase> {
  config: Config;
  /** Secret for cookies, sessions and client secret hashing. */
  appKey: string;
  keys: KeySet;
  scopes: ScopeRegistry;
  users: Users;
  /** Where sessions live: the database, or Redis with REDIS_URL. */
  sessions: SessionStore;
  debug: DebugUseCases;
  /** Reachability of the database and Redis (GET /health, 503 answers). */
  health: Health;
  /** Shared Redis connection (rate limits) when REDIS_URL is set. */
  redis: Redis | undefined;
  close(): Promise<void>;
}

/** The OAuth core's use cases that routes, pages and commands call, typed as the core builds them. */
type CoreUseCase = 'tokens' | 'authorize' | 'personalAccess' | 'clients' | 'device' | 'resources' | 'dynamicRegistration';

/** The debug bar's cache route (APP_DEBUG only). */
export interface DebugUseCases {
  /** Forgets a key of the application cache, within `tags` when given; true when it existed. */
  forgetCacheKey(key: string, tags: string[]): Promise<boolean>;
}

export interface ServiceOptions {
  /** Generate APP_KEY and a signing key into storage/ when absent (the server and `install` do). */
  generateSecrets?: boolean;
  /** Apply pending migrations first. */
  migrate?: boolean;
  /** PostgreSQL schema (tests). */
  databaseSchema?: string | undefined;
  now?: () => number;
}

/** The services and what they were built from: for main's start-up report and for tests. */
export interface Assembly {
  services: Services;
  storage: Storage;
  core: OAuthCore;
  cache: AppCache;
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  return (await assembleServices(config, options)).services;
}

export async function assembleServices(config: Config, options: ServiceOptions = {}): Promise<Assembly> {
  // Before anything is opened: a bad OAUTH_DEFAULT_SCOPES stops the start with a message, not a trace.
  const scopes = scopeRegistry(config);
  const generate = options.generateSecrets ?? true;
  const appKey = config.appKey ?? loadAppKey(config.storagePath, generate);
  const keys = await loadKeySet(
    { storagePath: config.storagePath, privatePem: config.oauthPrivateKey, publicPem: config.oauthPublicKey },
    { generate },
  );
  const storage = await openStorage(config.databaseUrl, { migrate: options.migrate ?? true, schema: options.databaseSchema });
  const { repositories } = storage;
  const link = config.redisUrl ? new RedisLink(config.redisUrl) : undefined;
  // A Redis that is down at start is not fatal: requests that need it answer 503 until it is back.
  await link?.ready();
  const redis = link?.client;
  const cache = createCache({ redisClient: redis, prefix: `${config.redisPrefix}cache:`, maxEntries: config.cacheMaxEntries, compactLane: tokenStateLane });
  const users = new Users(repositories.users, loginThrottle(config, redis), async (userId) => {
    await cache.forget(cacheKeys.user(userId));
  });
  const core = createOAuthCore({
    settings: {
      issuer: config.appUrl,
      appName: config.appName,
      accessTokenTtl: config.accessTokenTtl,
      refreshTokenTtl: config.refreshTokenTtl,
      personalAccessTokenTtl: config.personalAccessTokenTtl,
      authCodeTtl: config.authCodeTtl,
      passwordGrant: config.passwordGrant,
      implicitGrant: config.implicitGrant,
      dynamicRegistration: config.dynamicRegistration,
      refreshTokenReuseInterval: config.refreshTokenReuseInterval,
    },
    appKey,
    keys,
    scopes,
    cache,
    repositories,
    users,
    ...(config.clientMetadataDocuments ? { clientMetadata: clientMetadataResolver(config, repositories.clients) } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const services: Services = {
    config,
    appKey,
    keys,
    scopes,
    tokens: core.tokens,
    authorize: core.authorize,
    personalAccess: core.personalAccess,
    clients: core.clients,
    device: core.device,
    resources: core.resources,
    dynamicRegistration: core.dynamicRegistration,
    users,
    sessions: redis ? new RedisSessionStore(redis, `${config.redisPrefix}session:`) : new DatabaseSessionStore(repositories.sessions),
    debug: {
      forgetCacheKey: (key, tags) => (tags.length > 0 ? cache.tags(tags).forget(key) : cache.forget(key)),
    },
    health: createHealth({ database: () => storage.ping(), redis: link }),
    redis,
    async close() {
      await cache.close();
      link?.close();
      await storage.close();
    },
  };
  return { services, storage, core, cache };
}

/** The declared scopes; OAUTH_DEFAULT_SCOPES naming an undeclared one is a configuration error. */
function scopeRegistry(config: Config): ScopeRegistry {
  const declared = config.scopes ?? scopesFromStorage(config.storagePath);
  const all = new ScopeRegistry(declared);
  const undeclared = config.defaultScopes.find((scope) => !all.has(scope));
  if (undeclared !== undefined) throw new ConfigError('OAUTH_DEFAULT_SCOPES', `names an undeclared scope "${undeclared}"`);
  return new ScopeRegistry(declared, config.defaultScopes);
}

/**
 * The one login throttle of an application: the login form, POST /api/login and the password
 * grant count attempts per email and address together, in Redis across nodes or in memory.
 */
function loginThrottle(config: Config, redis: Redis | undefined): LoginThrottle {
  const counter: AttemptCounter = redis ? new RedisAttemptCounter(redis, `${config.redisPrefix}login:`) : new MemoryAttemptCounter();
  return new LoginThrottle(counter, { maxAttempts: config.loginRateLimit });
}

/**
 * Client ID metadata documents, fetched through the SSRF guard (https only, no private
 * addresses unless CIMD_ALLOW_PRIVATE, CIMD_ALLOWED_HOSTS, 5 KB, 5 s) and cached as their HTTP
 * headers say, within 5 minutes and a day.
 */
function clientMetadataResolver(config: Config, clients: ClientRepository): ClientMetadataResolver {
  const extraCa = config.cimdCaFile ? readFileSync(config.cimdCaFile, 'utf8') : undefined;
  const source: ClientMetadataSource = {
    async fetch(url) {
      const response = await safeFetchJson(url, {
        allowPrivate: config.cimdAllowPrivate,
        ...(config.cimdAllowedHosts ? { allowedHosts: config.cimdAllowedHosts } : {}),
        ...(extraCa ? { ca: [...rootCertificates, extraCa] } : {}),
      });
      return { document: response.body, cacheSeconds: clientMetadataCacheSeconds(response.headers) };
    },
  };
  return new ClientMetadataResolver(source, clients, { allowHttpLoopback: config.cimdAllowPrivate });
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

/**
 * The operator's tasks that need the database but neither signing keys nor APP_KEY (`migrate`,
 * `purge`, `client:list`, `user:create`, `import:passport`), so those commands never generate
 * secrets as a side effect.
 */
export interface Administration {
  /** Applies pending migrations; returns the names of those that ran. */
  migrate(): Promise<string[]>;
  purge(options: PurgeOptions): Promise<PurgeCounts>;
  listClients(): Promise<Client[]>;
  users: Pick<Users, 'find' | 'register' | 'emailTaken'>;
  /** Resource servers (RFC 8707); changes reach every node through Redis when it is configured. */
  resources: ResourceUseCases;
  /** `registration-token:*`: the initial access tokens of dynamic client registration. */
  registrationTokens: InitialAccessTokenUseCases;
  close(): Promise<void>;
}

export type { PurgeCounts, PurgeOptions } from './storage/repositories/index.js';
export type { ImportedTable, PassportImportResult } from './storage/passport-import-job.js';
export { IMPORTED_TABLES, PassportImportFailure } from './storage/passport-import-job.js';

/** Opens the database for the operator's tasks; migrated first unless `migrate: false`. */
export async function openAdministration(config: Config, options: { migrate?: boolean } = {}): Promise<Administration> {
  const storage = await openStorage(config.databaseUrl, { migrate: options.migrate ?? true });
  const { repositories } = storage;
  // No login happens here: the throttle is never consulted.
  const users = new Users(repositories.users, new LoginThrottle(new MemoryAttemptCounter(), { maxAttempts: 0 }));
  const cache = createCache({ redisUrl: config.redisUrl, prefix: `${config.redisPrefix}cache:` });
  const directory = new ResourceDirectory(repositories.resources, cache, { uri: config.appUrl, name: config.appName });
  return {
    migrate: () => migrateToLatest(storage.database),
    purge: (purgeOptions) => repositories.purge.purge(purgeOptions),
    listClients: () => repositories.clients.listAll(),
    users,
    resources: createResourceUseCases({ store: repositories.resources, directory }),
    registrationTokens: createInitialAccessTokenUseCases({ store: repositories.initialAccessTokens, now: Date.now }),
    async close() {
      await cache.close();
      await storage.close();
    },
  };
}

export interface PassportImportRun {
  /** The source as it may be shown (no password). */
  source: string;
  result: PassportImportResult;
  /** Set when the import is done but Redis could not be told to forget what it changed. */
  cacheWarning?: string;
}

/**
 * `authgate import:passport`: copies a Laravel Passport database into this one. The source is
 * read before the target is opened (a bad or unreachable source changes nothing); cached
 * client and token states the import changed are then forgotten on every node.
 */
export async function importPassportDatabase(config: Config, sourceUrl: string): Promise<PassportImportRun> {
  const source = await openPassportDatabase(sourceUrl);
  let result: PassportImportResult;
  try {
    const storage = await openStorage(config.databaseUrl);
    try {
      result = await source.copyInto(storage.database);
    } finally {
      await storage.close();
    }
  } finally {
    await source.close();
  }
  const cacheWarning = await forgetStaleCacheEntries(config, result);
  return { source: source.display, result, ...(cacheWarning === undefined ? {} : { cacheWarning }) };
}

/**
 * Authgate nodes sharing Redis cache client records and token states: rows an import changed
 * are forgotten there, so a revocation brought over from Passport takes effect at once.
 * (Without Redis each process caches in memory: restart running processes after a re-run.)
 */
async function forgetStaleCacheEntries(config: Config, result: PassportImportResult): Promise<string | undefined> {
  const keys = [...result.stale.clientIds.map(cacheKeys.client), ...result.stale.tokenIds.map(cacheKeys.token)];
  if (!config.redisUrl || keys.length === 0) return undefined;
  const cache = createCache({ redisUrl: config.redisUrl, prefix: `${config.redisPrefix}cache:` });
  try {
    for (let start = 0; start < keys.length; start += 100) {
      await Promise.all(keys.slice(start, start + 100).map((key) => cache.forget(key)));
    }
    return undefined;
  } catch (error) {
    return `The import is complete, but cached entries in Redis could not be cleared (${String(error)}); restart Authgate.`;
  } finally {
    await cache.close();
  }
}

/** `authgate keys`: creates (or rotates) the signing key files in storage/. */
export function generateSigningKeys(config: Config, options: Omit<CreateKeysOptions, 'storagePath'>): Promise<CreateKeysResult> {
  return createKeyFiles({ ...options, storagePath: config.storagePath });
}

