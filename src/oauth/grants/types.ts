import type { ClientDirectory } from '../client-directory.js';
import type {
  AccessTokenRepository,
  AuthCodeRepository,
  Client,
  ClientRepository,
  DeviceCodeRepository,
  RefreshTokenRepository,
  UserLookup,
} from '../ports.js';
import type { ScopeRegistry } from '../scopes.js';
import type { KeySet } from '../signing-keys.js';
import type { TokenService } from '../token-service.js';

/**
 * Request parameters of an OAuth endpoint, already read from the body (never the query
 * string), one string each; RFC 6749 §3.1: a parameter sent without a value is omitted.
 */
export type OAuthParams = Readonly<Record<string, string | undefined>>;

/** What the token, revocation and introspection endpoints need; wired once by the HTTP layer. */
export interface OAuthContext {
  settings: {
    issuer: string;
    accessTokenTtl: number;
    refreshTokenTtl: number;
    passwordGrant: boolean;
  };
  /** Key of the client secret hashes. */
  appKey: string;
  clients: ClientDirectory;
  /** Writes to client records (re-storing a legacy secret hash). */
  clientStore: Pick<ClientRepository, 'updateSecretHash'>;
  scopes: ScopeRegistry;
  tokens: TokenService;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
  authCodes: AuthCodeRepository;
  /** Device authorizations (RFC 8628); without it the device code grant answers server_error. */
  deviceCodes?: DeviceCodeRepository;
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

export interface GrantRequest {
  params: OAuthParams;
  /** The client, already authenticated and allowed to use this grant. */
  client: Client;
}

/** One grant type of the token endpoint; adding one is a file and a line in ./index.ts. */
export interface Grant {
  grantType: string;
  /** Public clients (no secret) may use it with their client_id alone. */
  allowsPublicClients: boolean;
  /** False when the deployment has it switched off (answered as an unknown grant type). */
  enabled?(settings: OAuthContext['settings']): boolean;
  handle(request: GrantRequest, ctx: OAuthContext): Promise<TokenResponse>;
}
