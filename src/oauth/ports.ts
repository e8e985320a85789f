/**
 * What the OAuth core needs from storage. Implementations live in src/storage/repositories;
 * the core never sees SQL. Dates are JS Dates here; storage converts.
 */

export interface Client {
  id: string;
  userId: number | null;
  name: string;
  /** Stored secret hash (`hmac-sha256$…` or an imported bcrypt hash); null for a public client. */
  secretHash: string | null;
  provider: string | null;
  redirectUris: string[];
  personalAccessClient: boolean;
  passwordClient: boolean;
  revoked: boolean;
  /** First-party clients skip the consent screen. */
  skipsAuthorization: boolean;
  /** Explicitly allowed grant types, or null for Passport's defaults. */
  grantTypes: string[] | null;
  /** Where the client came from; null for clients of the API, the dashboard, the CLI or Passport. */
  origin: ClientOrigin | null;
  /** Registered metadata beyond Passport's columns (RFC 7591 §2: client_uri, logo_uri, …). */
  metadata: Readonly<Record<string, unknown>> | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MetadataDocumentClient {
  id: string;
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  metadata: Readonly<Record<string, unknown>>;
}

/** `cimd`: a client ID metadata document (the id is its URL); `dynamic`: registered by RFC 7591. */
export type ClientOrigin = 'cimd' | 'dynamic';

export interface NewClient {
  /** A UUID is drawn when absent; a client ID metadata document's client is stored under its URL. */
  id?: string;
  userId: number | null;
  name: string;
  secretHash: string | null;
  redirectUris: string[];
  personalAccessClient?: boolean;
  passwordClient?: boolean;
  skipsAuthorization?: boolean;
  grantTypes?: string[] | null;
  provider?: string | null;
  origin?: ClientOrigin | null;
  metadata?: Readonly<Record<string, unknown>> | null;
  /** SHA-256 of the RFC 7592 registration access token. */
  registrationTokenHash?: string | null;
}

export interface ClientRepository {
  findById(id: string): Promise<Client | undefined>;
  /** The user's clients that are not revoked, ordered by name. */
  listForUser(userId: number): Promise<Client[]>;
  listAll(): Promise<Client[]>;
  /** Stores a new client (a personal access client is also recorded as such, in the same transaction). */
  create(client: NewClient): Promise<Client>;
  update(id: string, changes: { name?: string; redirectUris?: string[] }): Promise<Client | undefined>;
  /** Marks the client revoked and revokes every access and refresh token issued to it. Returns the revoked token ids. */
  revoke(id: string): Promise<string[]>;
  /** Re-stores a secret hash (bcrypt → keyed SHA-256 after a successful verification). */
  updateSecretHash(id: string, secretHash: string): Promise<void>;
  /** The personal access client (Passport's oauth_personal_access_clients), if one exists. */
  findPersonalAccessClient(): Promise<Client | undefined>;
  /**
   * Mirrors a client ID metadata document (origin `cimd`, a public client under its URL):
   * inserted the first time, its name, redirect URIs, grants and metadata refreshed later. A
   * client revoked here stays revoked.
   */
  saveMetadataDocumentClient(record: MetadataDocumentClient): Promise<Client>;
}

export interface AccessToken {
  /** The JWT's jti. */
  id: string;
  userId: number | null;
  clientId: string;
  name: string | null;
  scopes: string[];
  revoked: boolean;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  /** The grant (authorization code or first refresh chain) this token descends from. */
  grantId: string | null;
  /** The RFC 8707 resources the token is bound to (its `aud`); null: the client id, as Passport. */
  resources: string[] | null;
}

export type NewAccessToken = Omit<AccessToken, 'revoked' | 'updatedAt' | 'resources'> & { resources?: string[] | null };

export interface AccessTokenRepository {
  /** Persists a new token; a duplicate id is refused (ids are 320 random bits: it does not happen). */
  create(token: NewAccessToken): Promise<void>;
  findById(id: string): Promise<AccessToken | undefined>;
  /** Marks the token and its refresh tokens revoked. False when no such unrevoked token. */
  revoke(id: string): Promise<boolean>;
  /**
   * Replay defence: records the grant as revoked and revokes every access and refresh token of
   * it, in one transaction. Returns the revoked access token ids.
   */
  revokeGrant(grantId: string): Promise<string[]>;
  /** True once `revokeGrant` ran for this grant: tokens written to it afterwards must not live. */
  isGrantRevoked(grantId: string): Promise<boolean>;
  /** Unrevoked, unexpired tokens of a user, newest first; `personal` picks personal access tokens or the others. */
  listForUser(userId: number, options: { personal: boolean; personalClientId?: string | undefined }): Promise<AccessToken[]>;
}

export interface RefreshToken {
  /** SHA-256 (hex) of the refresh token string. */
  id: string;
  accessTokenId: string;
  revoked: boolean;
  expiresAt: Date;
  grantId: string | null;
  /** When the token was rotated (null: never, or revoked otherwise). */
  consumedAt: Date | null;
}

export type ConsumeResult<T> =
  | { status: 'consumed'; record: T }
  /** It existed but was already used or revoked: a replay. */
  | { status: 'reused'; record: T }
  | { status: 'missing' };

export interface RefreshTokenRepository {
  create(token: Omit<RefreshToken, 'revoked' | 'consumedAt'>): Promise<void>;
  /** Atomically marks the token rotated (revoked, with the time); exactly one concurrent caller gets 'consumed'. */
  consume(id: string): Promise<ConsumeResult<RefreshToken>>;
  findById(id: string): Promise<RefreshToken | undefined>;
  revoke(id: string): Promise<void>;
}

export interface AuthCode {
  /** SHA-256 (hex) of the code. */
  id: string;
  userId: number;
  clientId: string;
  scopes: string[];
  revoked: boolean;
  expiresAt: Date;
  redirectUri: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  /** Unix seconds of the user's login. */
  authTime: number | null;
  /** RFC 8707 resources of the authorization request; null when none was asked for. */
  resources: string[] | null;
}

export interface AuthCodeRepository {
  create(code: Omit<AuthCode, 'revoked' | 'resources'> & { resources?: string[] | null }): Promise<void>;
  /** Atomically marks the code used; exactly one concurrent caller gets 'consumed'. */
  consume(id: string): Promise<ConsumeResult<AuthCode>>;
}

/** The user as the OAuth core sees it. */
/** A user as the core and the API show them: never the password hash. */
export interface ResourceOwner {
  id: number;
  name: string;
  email: string;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The answer to a credential check made under the login throttle. */
export type CredentialCheck =
  | { status: 'valid'; user: ResourceOwner }
  | { status: 'invalid' }
  /** Too many attempts for this email from this address: try again in `retryAfter` seconds. */
  | { status: 'throttled'; retryAfter: number };

export interface UserLookup {
  findById(id: number): Promise<ResourceOwner | undefined>;
  /**
   * Checks an email and password (the password grant) under the same per-email-and-address
   * throttle as the login form and POST /api/login.
   */
  checkCredentials(email: string, password: string, clientAddress: string): Promise<CredentialCheck>;
}

/**
 * A device authorization (RFC 8628 §3.2). Its state follows from the columns, as Passport
 * stores it: pending (no user), approved (user and approval time), denied (user, no approval
 * time), used (revoked after approval).
 */
export interface DeviceCode {
  /** SHA-256 (hex) of the device code. */
  id: string;
  userId: number | null;
  clientId: string;
  /** Eight characters of the user code alphabet, without the dash. */
  userCode: string;
  scopes: string[];
  revoked: boolean;
  userApprovedAt: Date | null;
  lastPolledAt: Date | null;
  expiresAt: Date;
  /** RFC 8707 resources the device asked for; null when none. */
  resources: string[] | null;
}

export type NewDeviceCode = Pick<DeviceCode, 'id' | 'clientId' | 'userCode' | 'scopes' | 'expiresAt'> & { resources?: string[] | null };

export interface DeviceCodeRepository {
  /** Persists a new code; false when its id or user code is taken (the caller draws again). */
  create(code: NewDeviceCode): Promise<boolean>;
  findById(id: string): Promise<DeviceCode | undefined>;
  findByUserCode(userCode: string): Promise<DeviceCode | undefined>;
  /** The user's answer; false unless the code was still pending and unexpired at `at`. */
  complete(id: string, answer: { userId: number; approved: boolean; at: Date }): Promise<boolean>;
  /**
   * Records a poll at `at` unless the previous one was less than `intervalSeconds` before it;
   * false means the client polled too fast (RFC 8628 §3.5 slow_down). Atomic.
   */
  recordPoll(id: string, at: Date, intervalSeconds: number): Promise<boolean>;
  /** Atomically marks an approved code used; exactly one concurrent caller gets 'consumed'. */
  consume(id: string): Promise<ConsumeResult<DeviceCode>>;
}

/** A resource server tokens may be bound to (RFC 8707): an MCP server, an API. */
export interface Resource {
  id: string;
  /** The resource URI: what clients send as `resource` and what its tokens carry as `aud`. */
  uri: string;
  name: string;
  /** The scopes the resource declares; null: any scope declared by the server. */
  scopes: string[] | null;
  /** Lifetime of its access tokens in seconds; null: ACCESS_TOKEN_TTL. */
  tokenTtl: number | null;
  /** The owner; null for resources made by the operator (CLI). */
  userId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewResource = Pick<Resource, 'uri' | 'name' | 'scopes' | 'tokenTtl' | 'userId'>;

export interface ResourceRepository {
  /** Stores a new resource; undefined when its URI is taken. */
  create(resource: NewResource): Promise<Resource | undefined>;
  findByUri(uri: string): Promise<Resource | undefined>;
  findById(id: string): Promise<Resource | undefined>;
  /** Every resource, or one user's, by name. */
  list(filter?: { userId: number }): Promise<Resource[]>;
  /** False when there was no such resource. */
  delete(id: string): Promise<boolean>;
}

/**
 * An initial access token for dynamic client registration (RFC 7591 §3, `OAUTH_DYNAMIC_REGISTRATION=token`),
 * made by the operator (`authgate registration-token:create`). Usable until it expires or is revoked.
 */
export interface InitialAccessToken {
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  id: string;
  name: string | null;
  revoked: boolean;
  createdAt: Date;
  /** Null: it does not expire. */
  expiresAt: Date | null;
}

export interface InitialAccessTokenRepository {
  create(token: Omit<InitialAccessToken, 'revoked'>): Promise<void>;
  findById(id: string): Promise<InitialAccessToken | undefined>;
  /** Every token, oldest first. */
  list(): Promise<InitialAccessToken[]>;
  /** Marks the token revoked; false when no unrevoked token has this id. */
  revoke(id: string): Promise<boolean>;
}

/** What RFC 7592 may change of a dynamically registered client: everything it registered. */
export interface DynamicClientChanges {
  name: string;
  redirectUris: string[];
  grantTypes: string[];
  metadata: Readonly<Record<string, unknown>>;
}

/** Storage of the clients registered by RFC 7591 (`origin = 'dynamic'`), beyond what every client has. */
export interface DynamicClientRepository {
  /**
   * A live (unrevoked) dynamically registered client with the SHA-256 of its RFC 7592
   * registration access token; undefined for any other client, or an unknown id.
   */
  findWithRegistrationToken(clientId: string): Promise<{ client: Client; registrationTokenHash: string } | undefined>;
  /** Replaces the registered metadata (RFC 7592 §2.2); undefined when the client is not a live dynamic one. */
  replaceRegistration(clientId: string, changes: DynamicClientChanges): Promise<Client | undefined>;
}
