import type { ClientAuthDeps } from '../client-authentication.js';
import type { ClientDirectory } from '../client-directory.js';
import { enabledGrants } from '../grants/index.js';
import type { Grant, GrantContext, TokenResponse } from '../grants/types.js';
import type { AccessToken, Client } from '../ports.js';
import type { TokenRequest } from '../token-endpoint.js';
import { exchangeToken } from '../token-endpoint.js';
import type { Introspection } from '../token-introspection.js';
import { introspectToken } from '../token-introspection.js';
import { revokeToken } from '../token-revocation.js';
import type { AuthenticatedToken } from '../token-service.js';

/** A user's token with the client it was issued to (Passport's `$tokens->load('client')`). */
export interface TokenWithClient {
  token: AccessToken;
  client: Client;
}

/** The token endpoints and a user's view of their tokens. */
export interface TokenUseCases {
  /** The grants this deployment answers, in registry order (schemas, docs and discovery derive from them). */
  readonly grants: readonly Grant[];
  /** POST /oauth/token (RFC 6749 §3.2). */
  exchange(request: TokenRequest): Promise<TokenResponse>;
  /** POST /oauth/revoke (RFC 7009). */
  revoke(request: TokenRequest): Promise<void>;
  /** POST /oauth/introspect (RFC 7662). */
  introspect(request: TokenRequest): Promise<Introspection>;
  /** Validates a bearer token: undefined means "not authenticated". */
  authenticate(jwt: string): Promise<AuthenticatedToken | undefined>;
  /** The same, answered without a promise when this process's cache holds everything the check needs. */
  authenticateOrDefer(jwt: string): AuthenticatedToken | undefined | Promise<AuthenticatedToken | undefined>;
  /** The applications a user authorized: live tokens of third-party clients (not personal access or password clients). */
  listAuthorized(userId: number): Promise<TokenWithClient[]>;
  /** Revokes one of the user's tokens (and its refresh tokens); false when it is not the user's. */
  revokeForUser(userId: number, tokenId: string): Promise<boolean>;
}

export interface TokenUseCaseDeps {
  grants: GrantContext;
  clientAuth: ClientAuthDeps;
  clients: ClientDirectory;
}

export function createTokenUseCases(deps: TokenUseCaseDeps): TokenUseCases {
  const { grants, clientAuth } = deps;
  return {
    grants: enabledGrants(grants.settings),
    exchange: (request) => exchangeToken(request, grants, clientAuth),
    revoke: (request) => revokeToken(request, grants, clientAuth),
    introspect: (request) => introspectToken(request, { ...grants, clients: deps.clients }, clientAuth),
    authenticate: (jwt) => grants.tokens.authenticate(jwt),
    authenticateOrDefer: (jwt) => grants.tokens.authenticateOrDefer(jwt),
    async listAuthorized(userId) {
      const tokens = await liveTokensWithClients(deps, userId);
      return tokens.filter(({ client }) => !client.personalAccessClient && !client.passwordClient);
    },
    async revokeForUser(userId, tokenId) {
      return revokeUserToken(grants, userId, tokenId);
    },
  };
}

/** The user's live (unrevoked, unexpired) tokens, each with its client; tokens of a vanished client are left out. */
export async function liveTokensWithClients(deps: Pick<TokenUseCaseDeps, 'grants' | 'clients'>, userId: number): Promise<TokenWithClient[]> {
  const tokens = await deps.grants.accessTokens.listForUser(userId, { personal: false });
  const ids = [...new Set(tokens.map((token) => token.clientId))];
  const found = await Promise.all(ids.map((id) => deps.clients.find(id)));
  const clients = new Map(ids.map((id, index) => [id, found[index]]));
  const result: TokenWithClient[] = [];
  for (const token of tokens) {
    const client = clients.get(token.clientId);
    if (client) result.push({ token, client });
  }
  return result;
}

/**
 * Passport's `findForUser` then `revoke`: another user's token, or an unknown id, is not
 * found. A token already revoked is answered as revoked again (its refresh tokens go too).
 */
export async function revokeUserToken(grants: Pick<GrantContext, 'accessTokens' | 'tokens'>, userId: number, tokenId: string): Promise<boolean> {
  const token = await grants.accessTokens.findById(tokenId);
  if (!token || token.userId !== userId) return false;
  // Revokes its refresh tokens too, and tells every node's cache at once. A token of a
  // rotating grant takes its grant with it, so the refresh token it replaced cannot win it
  // back within the reuse interval.
  await grants.tokens.revokeAccessToken(token.id);
  if (token.grantId !== null) await grants.tokens.revokeGrant(token.grantId);
  return true;
}
