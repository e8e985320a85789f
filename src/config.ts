import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseDuration } from './duration.js';

/** Everything Authgate reads from the environment, validated once at start. */
export interface Config {
  appName: string;
  /** Issuer and base of absolute URLs, without a trailing slash. */
  appUrl: string;
  /** Cookie and session secret; undefined means "generate into storage/". */
  appKey: string | undefined;
  appDebug: boolean;
  databaseUrl: string;
  redisUrl: string | undefined;
  port: number;
  host: string;
  /**
   * Fastify's `trustProxy`: false (use the socket's address), the number of proxy hops in front
   * of Authgate, or the proxies' addresses and CIDR ranges. Never `true` (which would trust a
   * client-written left-most X-Forwarded-For).
   */
  trustProxy: false | number | string[];
  /** Seconds a client may take to send a whole request (headers and body); then 408. */
  requestTimeout: number;
  /** Seconds SIGTERM/SIGINT lets in-flight requests finish before connections are cut. */
  shutdownTimeout: number;
  storagePath: string;
  oauthPrivateKey: string | undefined;
  oauthPublicKey: string | undefined;
  /** Durations in seconds. */
  accessTokenTtl: number;
  refreshTokenTtl: number;
  personalAccessTokenTtl: number;
  authCodeTtl: number;
  /** JSON `{"id": "description"}` from OAUTH_SCOPES, when set. */
  scopes: Record<string, string> | undefined;
  defaultScopes: string[];
  passwordGrant: boolean;
  implicitGrant: boolean;
  registration: 'open' | 'closed';
  tokenRateLimit: number;
  registerRateLimit: number;
  loginRateLimit: number;
  apiCookieName: string;
  logLevel: string;
  /** Prefix for every Redis key, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  /** OAUTH_DYNAMIC_REGISTRATION (RFC 7591): `off` (no endpoint), `open`, or `token` (an initial access token is required). */
  dynamicRegistration: 'off' | 'open' | 'token';
  /** Registration requests a minute per address (POST /oauth/register and RFC 7592's routes); 0 turns it off. */
  dynamicRegistrationRateLimit: number;
  /** CORS_ORIGINS: `*` (any origin, the default) or the exact origins browser clients call from. */
  corsOrigins: '*' | string[];
  /** Seconds after a rotation during which the old refresh token still gets a fresh pair (0: reuse always revokes the grant). */
  refreshTokenReuseInterval: number;
  /** Entries the in-memory cache holds at most (without Redis): one per live token, client and user. */
  cacheMaxEntries: number;
  /** Client ID metadata documents: an https `client_id` is resolved by fetching it. */
  clientMetadataDocuments: boolean;
  /** Lets metadata documents be fetched from loopback and private addresses (tests and labs only). */
  cimdAllowPrivate: boolean;
  /** When set, only these hosts may serve client metadata documents. */
  cimdAllowedHosts: string[] | undefined;
  /** Extra PEM certificate authorities trusted for metadata document fetches (labs with their own CA). */
  cimdCaFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads `.env` into process.env (without overriding what is already set), when present. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: Env = process.env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const storagePath = resolve(read('STORAGE_PATH') ?? 'storage');
  const port = integer(read, 'PORT', 8000, 0, 65535);
  const host = read('HOST') ?? 'localhost';
  const appUrl = url(read, 'APP_URL', defaultAppUrl(host, port));

  return {
    appName: read('APP_NAME') ?? 'Authgate',
    appUrl,
    appKey: read('APP_KEY'),
    appDebug: boolean(read, 'APP_DEBUG', false),
    databaseUrl: databaseUrl(read, storagePath),
    redisUrl: redisUrl(read),
    port,
    host,
    trustProxy: trustProxy(read),
    requestTimeout: duration(read, 'REQUEST_TIMEOUT', 30),
    shutdownTimeout: duration(read, 'SHUTDOWN_TIMEOUT', 10),
    storagePath,
    oauthPrivateKey: pem(read, 'OAUTH_PRIVATE_KEY'),
    oauthPublicKey: pem(read, 'OAUTH_PUBLIC_KEY'),
    accessTokenTtl: duration(read, 'ACCESS_TOKEN_TTL', 3600),
    refreshTokenTtl: duration(read, 'REFRESH_TOKEN_TTL', 30 * 86400),
    personalAccessTokenTtl: duration(read, 'PERSONAL_ACCESS_TOKEN_TTL', 365 * 86400),
    authCodeTtl: duration(read, 'AUTH_CODE_TTL', 600),
    scopes: scopes(read),
    defaultScopes: (read('OAUTH_DEFAULT_SCOPES') ?? '').split(/[\s,]+/).filter(Boolean),
    passwordGrant: boolean(read, 'OAUTH_PASSWORD_GRANT', false),
    implicitGrant: boolean(read, 'OAUTH_IMPLICIT_GRANT', false),
    registration: oneOf(read, 'REGISTRATION', ['open', 'closed'] as const, 'open'),
    tokenRateLimit: integer(read, 'TOKEN_RATE_LIMIT', 60, 0),
    registerRateLimit: integer(read, 'REGISTER_RATE_LIMIT', 10, 0),
    loginRateLimit: integer(read, 'LOGIN_RATE_LIMIT', 5, 0),
    apiCookieName: read('PASSPORT_COOKIE') ?? 'laravel_token',
    logLevel: logLevel(read),
    redisPrefix: read('REDIS_PREFIX') ?? 'authgate:',
    dynamicRegistration: oneOf(read, 'OAUTH_DYNAMIC_REGISTRATION', ['off', 'open', 'token'] as const, 'off'),
    dynamicRegistrationRateLimit: integer(read, 'DYNAMIC_REGISTRATION_RATE_LIMIT', 10, 0),
    corsOrigins: corsOrigins(read),
    refreshTokenReuseInterval: duration(read, 'REFRESH_TOKEN_REUSE_INTERVAL', 0, { allowZero: true }),
    cacheMaxEntries: integer(read, 'CACHE_MAX_ENTRIES', 200_000, 1000),
    clientMetadataDocuments: boolean(read, 'OAUTH_CLIENT_METADATA_DOCUMENTS', true),
    cimdAllowPrivate: boolean(read, 'CIMD_ALLOW_PRIVATE', false),
    cimdAllowedHosts: hostList(read, 'CIMD_ALLOWED_HOSTS'),
    cimdCaFile: readableFile(read, 'CIMD_CA_FILE'),
  };
}

type Read = (name: string) => string | undefined;

/** Without APP_URL the issuer is where the server listens (localhost for the wildcard addresses). */
function defaultAppUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

function boolean(read: Read, name: string, fallback: boolean): boolean {
  const value = read(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

/**
 * TRUST_PROXY: `false`, a hop count (`1`: one proxy in front, which appends the client's address),
 * or a comma-separated list of proxy addresses and CIDR ranges (`10.0.0.0/8,127.0.0.1`, also
 * `loopback`, `linklocal`, `uniquelocal`). `true` means one hop: Fastify's own `true` trusts every
 * hop, so the left-most, client-written X-Forwarded-For would become the client address and a
 * client could pick a new address for every request (rate limits, login throttle).
 */
function trustProxy(read: Read): false | number | string[] {
  const value = read('TRUST_PROXY');
  const lower = value?.toLowerCase();
  if (lower === undefined || ['false', 'no', 'off', '0'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) return 1;
  if (/^\d+$/.test(lower)) {
    const hops = Number(lower);
    if (hops > 100) throw new ConfigError('TRUST_PROXY', `must be false, true, a number of proxy hops (1–100) or a list of proxy addresses, got "${value}"`);
    return hops;
  }
  const entries = lower.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isProxyAddress(entry));
  if (bad !== undefined) {
    throw new ConfigError('TRUST_PROXY', `must be false, true, a number of proxy hops or a comma-separated list of addresses and CIDR ranges, got "${bad}"`);
  }
  return entries;
}

function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** pino's levels: anything else made pino throw a stack trace at start. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function logLevel(read: Read): string {
  const value = read('LOG_LEVEL')?.toLowerCase();
  if (value === undefined) return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value;
}

function integer(read: Read, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = read(name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return Number(value);
}

function duration(read: Read, name: string, fallback: number, options: { allowZero?: boolean } = {}): number {
  const value = read(name);
  if (value === undefined) return fallback;
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds < 0 || (seconds === 0 && !options.allowZero)) {
    throw new ConfigError(name, `must be a duration such as 3600, 1h, 30d or P1Y, got "${value}"`);
  }
  return seconds;
}

function url(read: Read, name: string, fallback: string): string {
  const value = read(name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

function databaseUrl(read: Read, storagePath: string): string {
  const value = read('DATABASE_URL') ?? `sqlite:${resolve(storagePath, 'database.sqlite')}`;
  if (value.startsWith('sqlite:')) {
    if (value.length === 'sqlite:'.length) throw new ConfigError('DATABASE_URL', 'names no SQLite file');
    return value;
  }
  if (/^postgres(ql)?:\/\/.+/.test(value)) return value;
  throw new ConfigError('DATABASE_URL', `must be sqlite:<path> or postgres://…, got "${value}"`);
}

function redisUrl(read: Read): string | undefined {
  const value = read('REDIS_URL');
  if (value !== undefined && !/^rediss?:\/\/.+/.test(value)) {
    throw new ConfigError('REDIS_URL', `must be redis://… or rediss://…, got "${value}"`);
  }
  return value;
}

function pem(read: Read, name: string): string | undefined {
  const value = read(name);
  if (value === undefined) return undefined;
  // Allow "\n" escapes so a PEM fits on one line of an .env file.
  const text = value.replace(/\\n/g, '\n');
  if (!text.includes('-----BEGIN')) throw new ConfigError(name, 'must be a PEM-encoded key');
  return text;
}

function scopes(read: Read): Record<string, string> | undefined {
  const value = read('OAUTH_SCOPES');
  if (value === undefined) return undefined;
  return parseScopeMap('OAUTH_SCOPES', value);
}

export function parseScopeMap(source: string, text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(source, 'must be a JSON object {"scope": "description"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(source, 'must be a JSON object {"scope": "description"}');
  }
  for (const [id, description] of Object.entries(parsed)) {
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(id) || typeof description !== 'string') {
      throw new ConfigError(source, `has an invalid scope "${id}"`);
    }
  }
  return parsed as Record<string, string>;
}

function oneOf<T extends string>(read: Read, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

/**
 * `*`, or a comma-separated list of origins (`https://app.example.com`, `http://localhost:5173`):
 * scheme, host and port only, exactly as a browser sends them in `Origin`, since they are
 * compared as strings.
 */
function corsOrigins(read: Read): '*' | string[] {
  const value = read('CORS_ORIGINS');
  if (value === undefined || value === '*') return '*';
  const origins = value.split(',').map((origin) => origin.trim()).filter(Boolean);
  const bad = origins.find((origin) => !isOrigin(origin));
  if (bad !== undefined || origins.length === 0) {
    throw new ConfigError('CORS_ORIGINS', `must be * or a comma-separated list of origins such as https://app.example.com (scheme, host and port, no path), got "${bad ?? value}"`);
  }
  return [...new Set(origins)];
}

function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
}

/** Reads storage/scopes.json when OAUTH_SCOPES is not set. */
export function scopesFromStorage(storagePath: string): Record<string, string> | undefined {
  const file = resolve(storagePath, 'scopes.json');
  return existsSync(file) ? parseScopeMap('storage/scopes.json', readFileSync(file, 'utf8')) : undefined;
}

/** A comma-separated list of host names (lower case, no scheme or path). */
function hostList(read: Read, name: string): string[] | undefined {
  const value = read(name);
  if (value === undefined) return undefined;
  const hosts = value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  // Host names only: a document is allowed by its host, whatever the port.
  const bad = hosts.find((host) => !/^[a-z0-9.-]+$/.test(host));
  if (bad !== undefined || hosts.length === 0) throw new ConfigError(name, `must be a comma-separated list of host names, got "${value}"`);
  return hosts;
}

function readableFile(read: Read, name: string): string | undefined {
  const value = read(name);
  if (value === undefined) return undefined;
  if (!existsSync(value)) throw new ConfigError(name, `names no readable file: "${value}"`);
  return resolve(value);
}
