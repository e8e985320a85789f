import { authenticateClient } from './client-authentication.js';
import { OAuthError } from './errors.js';
import type { ClientAuthDeps } from './client-authentication.js';
import type { ClientDirectory } from './client-directory.js';
import type { GrantContext } from './grants/types.js';
import type { AccessToken, RefreshToken } from './ports.js';
import { findPresentedToken } from './presented-token.js';
import type { TokenRequest } from './token-endpoint.js';

/** RFC 7662 §2.2. Only `active` is required; an inactive token says nothing else. */
export interface Introspection {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  token_type?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  jti?: string;
}

const INACTIVE: Introspection = { active: false };

/** What introspection reads: the token rows, the signing keys, clients and users. */
export type IntrospectionDeps = Pick<GrantContext, 'tokens' | 'keys' | 'accessTokens' | 'refreshTokens' | 'users' | 'settings' | 'now'> & {
  clients: ClientDirectory;
};

/**
 * RFC 7662 token introspection, for authenticated confidential clients about their own
 * tokens (§4: the server decides who may learn what); anything else is `{"active": false}`.
 */
export async function introspectToken(request: TokenRequest, ctx: IntrospectionDeps, clientAuth: ClientAuthDeps): Promise<Introspection> {
  const { client } = await authenticateClient(request, clientAuth, { allowPublic: false });
  const token = request.params.token;
  if (token === undefined) throw OAuthError.invalidRequest('token');
  if (isJwt(token)) return describeAccessToken(token, client.id, ctx);
  const found = await findPresentedToken(token, ctx);
  if (!found || found.kind !== 'refresh_token' || found.access.clientId !== client.id) return INACTIVE;
  return describeRefreshToken(found.stored, found.access, ctx);
}

function isJwt(token: string): boolean {
  return token.split('.').length === 3;
}

/**
 * The same checks a resource server's request gets (signature, time, revocation, client, user),
 * through the same caches: introspecting a live token reads no row.
 */
async function describeAccessToken(jwt: string, clientId: string, ctx: IntrospectionDeps): Promise<Introspection> {
  const live = await ctx.tokens.authenticate(jwt);
  if (!live || live.clientId !== clientId) return INACTIVE;
  return {
    active: true,
    scope: live.scopes.join(' '),
    client_id: live.clientId,
    ...(live.user !== null ? { username: live.user.email } : {}),
    token_type: 'Bearer',
    ...pick(live.claims, ['exp', 'iat', 'nbf', 'sub', 'aud', 'iss', 'jti']),
  };
}

async function describeRefreshToken(stored: RefreshToken, access: AccessToken, ctx: IntrospectionDeps): Promise<Introspection> {
  if (stored.revoked || stored.expiresAt.getTime() <= ctx.now()) return INACTIVE;
  const client = await ctx.clients.find(access.clientId);
  if (!client || client.revoked) return INACTIVE;
  const username = await usernameOf(access.userId, ctx);
  if (username === null) return INACTIVE;
  return {
    active: true,
    scope: access.scopes.join(' '),
    client_id: access.clientId,
    ...(username !== undefined ? { username } : {}),
    exp: Math.floor(stored.expiresAt.getTime() / 1000),
    sub: access.userId === null ? access.clientId : String(access.userId),
    aud: access.clientId,
    iss: ctx.settings.issuer,
  };
}

/** The user's email; undefined for a machine token, null when the user no longer exists. */
async function usernameOf(userId: number | null, ctx: IntrospectionDeps): Promise<string | undefined | null> {
  if (userId === null) return undefined;
  const user = await ctx.users.findById(userId);
  return user ? user.email : null;
}

function pick(claims: Record<string, unknown>, names: readonly (keyof Introspection)[]): Partial<Introspection> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (claims[name] !== undefined) out[name] = claims[name];
  return out as Partial<Introspection>;
}
