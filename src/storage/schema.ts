import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Passport's tables and columns, so an existing Passport database can be brought over.
 *
 * Conventions shared by SQLite and PostgreSQL:
 * - timestamps are UTC text `YYYY-MM-DD HH:MM:SS` (Laravel's format); PostgreSQL columns are
 *   `timestamp(0)` and the pg driver is told to return them as that same text;
 * - booleans are written as 0/1 (SQLite cannot bind JS booleans; PostgreSQL reads '0'/'1'
 *   as booleans) and read back through `Boolean()`;
 * - secrets, refresh tokens, codes and session ids are stored only as hashes.
 */
type Flag = ColumnType<boolean | number, number | undefined, number>;
type Timestamp = string;

export interface UsersTable {
  id: Generated<number>;
  name: string;
  email: string;
  email_verified_at: Timestamp | null;
  password: string;
  remember_token: string | null;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
}

export interface OAuthClientsTable {
  /** A UUID. */
  id: string;
  user_id: number | null;
  name: string;
  /** `hmac-sha256$<hex>` (keyed with APP_KEY), or a bcrypt hash imported from Passport; null for public clients. */
  secret: string | null;
  provider: string | null;
  /** Comma-separated redirect URIs. */
  redirect: string;
  personal_access_client: Flag;
  password_client: Flag;
  revoked: Flag;
  /** Beyond Passport: a first-party client skips the consent screen. */
  skips_authorization: Flag;
  /** Beyond Passport (as Passport 13): JSON array of allowed grant types; null means Passport's defaults. */
  grant_types: string | null;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
  /** Beyond Passport: `cimd` (client ID metadata document), `dynamic` (RFC 7591), or null. */
  origin: ColumnType<string | null, string | null | undefined, string | null>;
  /** Beyond Passport: JSON of the registered metadata (client_uri, logo_uri, …). */
  metadata: ColumnType<string | null, string | null | undefined, string | null>;
  /** Beyond Passport: SHA-256 of the RFC 7592 registration access token. */
  registration_token: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OAuthAccessTokensTable {
  /** The JWT's `jti`. */
  id: string;
  user_id: number | null;
  client_id: string;
  name: string | null;
  /** JSON array of scopes. */
  scopes: string | null;
  revoked: Flag;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** Beyond Passport: the authorization grant this token descends from (replay defence, RFC 9700 §4.14). */
  grant_id: string | null;
  /** Beyond Passport: JSON array of the RFC 8707 resources (the token's audience); null: the client id. */
  resources: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OAuthRefreshTokensTable {
  /** SHA-256 of the refresh token. */
  id: string;
  access_token_id: string;
  revoked: Flag;
  expires_at: Timestamp | null;
  grant_id: string | null;
  /** Beyond Passport: when the token was rotated (reuse within REFRESH_TOKEN_REUSE_INTERVAL). */
  consumed_at: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
}

export interface OAuthAuthCodesTable {
  /** SHA-256 of the code. */
  id: string;
  user_id: number;
  client_id: string;
  scopes: string | null;
  revoked: Flag;
  expires_at: Timestamp | null;
  /** Beyond Passport, whose codes carry these inside an encrypted payload. */
  redirect_uri: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  nonce: string | null;
  auth_time: number | null;
  /** Beyond Passport: JSON array of RFC 8707 resources. */
  resources: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OAuthDeviceCodesTable {
  /** SHA-256 of the device code. */
  id: string;
  user_id: number | null;
  client_id: string;
  user_code: string;
  scopes: string | null;
  revoked: Flag;
  user_approved_at: Timestamp | null;
  last_polled_at: Timestamp | null;
  expires_at: Timestamp | null;
  /** Beyond Passport: JSON array of RFC 8707 resources. */
  resources: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Beyond Passport: the resource servers tokens may be bound to (RFC 8707). */
export interface OAuthResourcesTable {
  /** A UUID. */
  id: string;
  /** The resource URI, the `aud` of its tokens. */
  uri: string;
  name: string;
  /** JSON array of the scopes the resource declares; null: any declared scope. */
  scopes: string | null;
  /** Access token lifetime for this resource in seconds; null: ACCESS_TOKEN_TTL. */
  token_ttl: number | null;
  /** The owner; null for resources made by the operator. */
  user_id: number | null;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
}

/** Beyond Passport: grants revoked for replay (RFC 9700 §4.14); tokens written to them later are refused. */
export interface OAuthRevokedGrantsTable {
  grant_id: string;
  revoked_at: Timestamp | null;
}

/** Beyond Passport: initial access tokens for dynamic client registration (RFC 7591 §3). */
export interface OAuthRegistrationTokensTable {
  /** SHA-256 of the token. */
  id: string;
  name: string | null;
  revoked: Flag;
  created_at: Timestamp | null;
  expires_at: Timestamp | null;
}

export interface OAuthPersonalAccessClientsTable {
  id: Generated<number>;
  client_id: string;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
}

export interface SessionsTable {
  /** SHA-256 of the session id held in the cookie. */
  id: string;
  user_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  /** JSON. */
  payload: string;
  /** Unix seconds. */
  last_activity: number;
}

export interface Database {
  users: UsersTable;
  oauth_clients: OAuthClientsTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  oauth_refresh_tokens: OAuthRefreshTokensTable;
  oauth_auth_codes: OAuthAuthCodesTable;
  oauth_device_codes: OAuthDeviceCodesTable;
  oauth_personal_access_clients: OAuthPersonalAccessClientsTable;
  oauth_resources: OAuthResourcesTable;
  oauth_revoked_grants: OAuthRevokedGrantsTable;
  oauth_registration_tokens: OAuthRegistrationTokensTable;
  sessions: SessionsTable;
}

export type UserRow = Selectable<UsersTable>;
export type ClientRow = Selectable<OAuthClientsTable>;
export type AccessTokenRow = Selectable<OAuthAccessTokensTable>;
export type NewAccessTokenRow = Insertable<OAuthAccessTokensTable>;
export type RefreshTokenRow = Selectable<OAuthRefreshTokensTable>;
export type AuthCodeRow = Selectable<OAuthAuthCodesTable>;
export type DeviceCodeRow = Selectable<OAuthDeviceCodesTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ResourceRow = Selectable<OAuthResourcesTable>;
