import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { AuthorizationRequest } from '../oauth/authorize-request.js';
import type { SessionRows } from './ports.js';

/**
 * Server-side sessions. The browser holds a random 40-character id; the server keeps only its
 * SHA-256, so a leaked sessions table (or Redis dump) cannot be replayed as cookies.
 *
 * Lifetime: a session ends after 2 hours without a request (Laravel's default
 * `SESSION_LIFETIME=120`), at logout, or when the browser closes (the cookie has no expiry).
 */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;

/** How stale `last_activity` may get before a read-only request writes the session again. */
export const SESSION_TOUCH_SECONDS = 60;

/** A consent screen waiting for the user's answer (single use). */
export interface PendingAuthorization {
  /** One-time value the consent forms must send back (Passport's `auth_token`). */
  authToken: string;
  request: AuthorizationRequest;
}

export interface SessionData {
  csrfToken: string;
  userId?: number;
  /** Unix seconds of the login (OpenID Connect `auth_time`). */
  authTime?: number;
  /** Where to go after login: a same-origin path. */
  intended?: string;
  /** `prompt=login` sent this visitor to the login page: for which request, and when (unix seconds). */
  loginPrompt?: { url: string; at: number };
  pendingAuthorization?: PendingAuthorization;
  /** One-request messages for the next page (form errors, the fields they concern, the input typed). */
  flash?: { errors?: string[]; email?: string; name?: string; invalid?: string[] };
}

export interface SessionRecord {
  data: SessionData;
  /** Unix seconds. */
  lastActivity: number;
}

export interface SessionMeta {
  ipAddress: string | null;
  userAgent: string | null;
}

/** Where sessions live: the `sessions` table, or Redis on several nodes. Keys are id hashes. */
export interface SessionStore {
  read(idHash: string): Promise<SessionRecord | undefined>;
  write(idHash: string, record: SessionRecord, meta: SessionMeta): Promise<void>;
  destroy(idHash: string): Promise<void>;
}

/** 40 characters of base64url: 240 bits, as unguessable as a session id needs to be. */
export function newSessionId(): string {
  return randomBytes(30).toString('base64url');
}

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{40}$/;

/** Laravel's CSRF tokens are 40 random characters too. */
export function newCsrfToken(): string {
  return randomBytes(30).toString('base64url');
}

function parsePayload(payload: string): SessionData | undefined {
  try {
    const data = JSON.parse(payload) as unknown;
    if (typeof data !== 'object' || data === null || typeof (data as SessionData).csrfToken !== 'string') return undefined;
    return data as SessionData;
  } catch {
    return undefined;
  }
}

export class DatabaseSessionStore implements SessionStore {
  constructor(
    private readonly rows: SessionRows,
    /** Chance that a write also removes expired sessions (Laravel's session lottery, 2 in 100). */
    private readonly sweepChance = 0.02,
  ) {}

  async read(idHash: string): Promise<SessionRecord | undefined> {
    const row = await this.rows.find(idHash);
    const data = row && parsePayload(row.payload);
    return row && data ? { data, lastActivity: row.lastActivity } : undefined;
  }

  async write(idHash: string, record: SessionRecord, meta: SessionMeta): Promise<void> {
    await this.rows.save({
      id: idHash,
      userId: record.data.userId ?? null,
      // sessions.ip_address is varchar(45); a forwarded address is whatever a proxy (or client) wrote.
      ipAddress: meta.ipAddress !== null && isIP(meta.ipAddress) !== 0 ? meta.ipAddress.slice(0, 45) : null,
      userAgent: meta.userAgent?.slice(0, 1000) ?? null,
      payload: JSON.stringify(record.data),
      lastActivity: record.lastActivity,
    });
    if (Math.random() < this.sweepChance) await this.rows.destroyOlderThan(record.lastActivity - SESSION_IDLE_SECONDS);
  }

  destroy(idHash: string): Promise<void> {
    return this.rows.destroy(idHash);
  }
}

/** The slice of an ioredis client the Redis store uses. */
export interface SessionRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** Sessions in Redis, shared by every node; Redis expires them after the idle lifetime. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: SessionRedis,
    private readonly prefix: string,
  ) {}

  async read(idHash: string): Promise<SessionRecord | undefined> {
    const raw = await this.redis.get(this.prefix + idHash);
    if (raw === null) return undefined;
    try {
      const parsed = JSON.parse(raw) as { payload?: unknown; lastActivity?: unknown };
      const data = typeof parsed.payload === 'string' ? parsePayload(parsed.payload) : undefined;
      return data && typeof parsed.lastActivity === 'number' ? { data, lastActivity: parsed.lastActivity } : undefined;
    } catch {
      return undefined;
    }
  }

  async write(idHash: string, record: SessionRecord, meta: SessionMeta): Promise<void> {
    const value = JSON.stringify({ payload: JSON.stringify(record.data), lastActivity: record.lastActivity, ...meta });
    await this.redis.set(this.prefix + idHash, value, 'EX', SESSION_IDLE_SECONDS);
  }

  async destroy(idHash: string): Promise<void> {
    await this.redis.del(this.prefix + idHash);
  }
}

/** Same-origin path for the post-login redirect; anything else (`//evil`, `/\evil`, `https://…`) is refused. */
export function safeIntendedPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 8192) return undefined;
  // One leading slash followed by anything but a slash or backslash: browsers read `//host`
  // and `/\host` as another origin. Control characters and backslashes anywhere are refused too.
  if (!/^\/(?![/\\])/.test(value) || value.includes('\\') || hasControlCharacter(value)) return undefined;
  return value;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
