import type {
  AccessTokenRepository,
  AuthCodeRepository,
  Client,
  DeviceCodeRepository,
  RefreshTokenRepository,
  UserLookup,
} from '../ports.js';
import type { ResourceDirectory } from '../resource-indicators.js';
import type { ScopeRegistry } from '../scopes.js';
import type { KeySet } from '../signing-keys.js';
import type { TokenService } from '../token-service.js';

/**
 * Request parameters of an OAuth endpoint, already read from the body (never the query
 * string), one string each; RFC 6749 §3.1: a parameter sent without a value is omitted.
 */
export type OAuthParams = Readonly<Record<string, string | undefined>>;

/** The deployment's OAuth settings, read once from the configuration. */
export interface OAuthSettings {
  issuer: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  passwordGrant: boolean;
  /** Seconds after a rotation during which the old refresh token may be presented again (0: never). */
  refreshTokenReuseInterval?: number;
}

/** What the grants need; built once by the core (see ../oauth-core.ts), never by a route. */
export interface GrantContext {
  settings: OAuthSettings;
  scopes: ScopeRegistry;
  /** RFC 8707 resource servers: the audience of tokens asked for with `resource`. */
  resources: ResourceDirectory;
  tokens: TokenService;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
  authCodes: AuthCodeRepository;
  deviceCodes: DeviceCodeRepository;
  users: UserLookup;
  keys: KeySet;
  now(): number;
}

/** The successful token response (RFC 6749 §5.1), in Passport's field order. */
export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

/** Fields a grant may add to the base response (token_type, expires_in, access_token). */
export type TokenResponseField = 'refresh_token' | 'id_token';

export interface GrantRequest {
  params: OAuthParams;
  /** The client, already authenticated and allowed to use this grant. */
  client: Client;
  /** The caller's address, for per-user-and-address throttling (the password grant). */
  clientAddress: string;
  /** The RFC 8707 `resource` indicators of the request (repeatable), unchecked. */
  resources: readonly string[];
}

/**
 * One grant type of the token endpoint, describing itself: the token route's schemas, the
 * OpenAPI document, the Postman collection, the docs page and discovery's
 * `grant_types_supported` are all derived from these declarations. Adding a grant is one
 * file, one line in ./index.ts, and its tests.
 */
export interface Grant {
  grantType: string;
  /** One sentence for the documentation: what the grant is for and its rules. */
  summary: string;
  /**
   * The body parameters the grant reads, with a description each (grant_type, the client
   * credentials and `scope` are common to every grant and not listed here).
   */
  parameters: Readonly<Record<string, string>>;
  /** Public clients (no secret) may use it with their client_id alone. */
  allowsPublicClients: boolean;
  /** Whether the grant reads `scope` (client credentials, password, refresh narrowing). */
  readsScope: boolean;
  /** The fields the grant adds to the token response (id_token only with `openid`). */
  responseFields: readonly TokenResponseField[];
  /** False when the deployment has it switched off (answered as an unknown grant type). */
  enabled?(settings: OAuthSettings): boolean;
  handle(request: GrantRequest, ctx: GrantContext): Promise<TokenResponse>;
}
