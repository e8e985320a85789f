import type { Insertable } from 'kysely';
import { sha256 } from '../oauth/random-tokens.js';
import type {
  OAuthAccessTokensTable,
  OAuthClientsTable,
  OAuthPersonalAccessClientsTable,
  OAuthRefreshTokensTable,
  UsersTable,
} from './schema.js';
import type { SourceRow } from './passport-source.js';
import { fromDbTimestamp, toDbTimestamp } from './timestamps.js';

/**
 * Passport rows → Authgate rows. Every driver gives values in its own way (mysql2 and pg:
 * numbers, strings, Date objects, parsed JSON; SQLite: text and integers), so each value goes
 * through one of the readers below, which accept all of them and reject anything else.
 */

/** A value that cannot be brought over: the import stops and writes nothing. */
export class PassportImportError extends Error {
  override name = 'PassportImportError';
}

type Columns = ReadonlySet<string>;

export type UserInsert = Insertable<UsersTable> & { id: number };
export type ClientInsert = Insertable<OAuthClientsTable>;
export type AccessTokenInsert = Insertable<OAuthAccessTokensTable>;
export type RefreshTokenInsert = Insertable<OAuthRefreshTokensTable>;
export type PersonalAccessClientInsert = Insertable<OAuthPersonalAccessClientsTable> & { id: number };

export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return toDbTimestamp(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Laravel's timestamps, whatever the driver made of them, as Authgate's UTC `YYYY-MM-DD HH:MM:SS`. */
export function timestamp(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return toDbTimestamp(value);
  }
  const raw = text(value)?.trim() ?? '';
  // MySQL's zero date, which Laravel never writes but old rows may hold: no date.
  if (raw === '' || /^0000-00-00/.test(raw)) return null;
  try {
    const date = fromDbTimestamp(raw);
    if (date) return toDbTimestamp(date);
  } catch {
    // Reported below with the row it came from.
  }
  throw new PassportImportError(`${where}: unreadable timestamp ${JSON.stringify(raw)}.`);
}

/** Booleans as 0/1: tinyint(1) numbers (MySQL, SQLite), booleans (PostgreSQL), bit/strings otherwise. */
export function flagOf(value: unknown): 0 | 1 {
  if (Buffer.isBuffer(value)) return value.some((byte) => byte !== 0) ? 1 : 0;
  if (typeof value === 'string') return ['1', 't', 'true', 'y', 'yes'].includes(value.trim().toLowerCase()) ? 1 : 0;
  return value === true || (typeof value === 'number' && value !== 0) || (typeof value === 'bigint' && value !== 0n) ? 1 : 0;
}

/** Authgate's user ids are integers; a UUID-keyed users table cannot come over. */
export function integer(value: unknown, where: string): number {
  const digits = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
  if (/^\d+$/.test(digits) && Number.isSafeInteger(Number(digits))) return Number(digits);
  throw new PassportImportError(`${where}: ${JSON.stringify(text(value))} is not an integer id.`);
}

function nullableInteger(value: unknown, where: string): number | null {
  return value === null || value === undefined ? null : integer(value, where);
}

/** Client ids: Passport ≥ 9 UUIDs, older integer ids, kept as strings. */
function clientId(value: unknown, where: string): string {
  const id = text(value)?.trim() ?? '';
  if (id === '') throw new PassportImportError(`${where}: missing client id.`);
  return id;
}

/** A JSON array of strings (text, or already parsed from a json column); null when absent. */
export function stringArray(value: unknown, where: string): string[] | null {
  if (value === null || value === undefined) return null;
  let parsed: unknown = value;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      parsed = JSON.parse(text(value) ?? '');
    } catch {
      throw new PassportImportError(`${where}: not a JSON array.`);
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) {
    throw new PassportImportError(`${where}: not a JSON array of strings.`);
  }
  return parsed;
}

export function toUser(row: SourceRow, columns: Columns): UserInsert {
  const id = integer(row.id, 'users.id');
  const where = `users row ${id}`;
  return {
    id,
    name: text(row.name) ?? '',
    email: text(row.email) ?? '',
    email_verified_at: columns.has('email_verified_at') ? timestamp(row.email_verified_at, `${where}, email_verified_at`) : null,
    // Laravel's `$2y$` bcrypt hashes are kept: verified, then rehashed to argon2id at the next login.
    // No password (a social-login account) stores a value no password matches.
    password: text(row.password) ?? '',
    remember_token: columns.has('remember_token') ? text(row.remember_token) : null,
    created_at: timestamp(row.created_at, `${where}, created_at`),
    updated_at: timestamp(row.updated_at, `${where}, updated_at`),
  };
}

/**
 * Passport ≤ 12: `user_id`, `redirect` (comma-separated), `personal_access_client` and
 * `password_client` flags (some versions lack them). Passport 13: `owner_id`, `redirect_uris`
 * and `grant_types` JSON, the client's kind read from its grant types.
 */
export function toClient(row: SourceRow, columns: Columns): ClientInsert {
  const id = clientId(row.id, 'oauth_clients.id');
  const where = `oauth_clients row ${id}`;
  const grantTypes = columns.has('grant_types') ? stringArray(row.grant_types, `${where}, grant_types`) : null;
  const redirect = columns.has('redirect')
    ? (text(row.redirect) ?? '')
    : (stringArray(row.redirect_uris, `${where}, redirect_uris`) ?? []).join(',');
  const owner = columns.has('user_id') ? row.user_id : row.owner_id;
  const secret = text(row.secret);
  const kindFlag = (column: string, grant: string): 0 | 1 =>
    columns.has(column) ? flagOf(row[column]) : grantTypes?.includes(grant) ? 1 : 0;
  return {
    id,
    user_id: nullableInteger(owner, `${where}, user_id`),
    name: text(row.name) ?? '',
    // As Passport stored it (plain, or bcrypt with hashClientSecrets): Authgate verifies both
    // and re-stores its keyed SHA-256 at the first use.
    secret: secret === '' ? null : secret,
    provider: text(row.provider),
    redirect,
    personal_access_client: kindFlag('personal_access_client', 'personal_access'),
    password_client: kindFlag('password_client', 'password'),
    revoked: flagOf(row.revoked),
    grant_types: grantTypes ? JSON.stringify(grantTypes) : null,
    created_at: timestamp(row.created_at, `${where}, created_at`),
    updated_at: timestamp(row.updated_at, `${where}, updated_at`),
  };
}

export function toPersonalAccessClient(row: SourceRow): PersonalAccessClientInsert {
  const id = integer(row.id, 'oauth_personal_access_clients.id');
  const where = `oauth_personal_access_clients row ${id}`;
  return {
    id,
    client_id: clientId(row.client_id, where),
    created_at: timestamp(row.created_at, `${where}, created_at`),
    updated_at: timestamp(row.updated_at, `${where}, updated_at`),
  };
}

/** The id is the JWT's `jti`, kept, so tokens Passport issued keep validating. */
export function toAccessToken(row: SourceRow): AccessTokenInsert {
  const id = clientId(row.id, 'oauth_access_tokens.id');
  const where = `oauth_access_tokens row ${id}`;
  const scopes = row.scopes === null || row.scopes === undefined ? null : stringArray(row.scopes, `${where}, scopes`);
  return {
    id,
    user_id: nullableInteger(row.user_id, `${where}, user_id`),
    client_id: clientId(row.client_id, where),
    name: text(row.name),
    scopes: scopes ? JSON.stringify(scopes) : null,
    revoked: flagOf(row.revoked),
    created_at: timestamp(row.created_at, `${where}, created_at`),
    updated_at: timestamp(row.updated_at, `${where}, updated_at`),
    expires_at: timestamp(row.expires_at, `${where}, expires_at`),
    grant_id: null,
  };
}

/**
 * Passport stores refresh token ids in plain; Authgate stores only hashes, so the
 * id is hashed like every refresh token Authgate issues.
 */
export function toRefreshToken(row: SourceRow): RefreshTokenInsert {
  const plain = clientId(row.id, 'oauth_refresh_tokens.id');
  const where = 'oauth_refresh_tokens row';
  return {
    id: sha256(plain),
    access_token_id: clientId(row.access_token_id, `${where}, access_token_id`),
    revoked: flagOf(row.revoked),
    expires_at: timestamp(row.expires_at, `${where}, expires_at`),
    grant_id: null,
  };
}
