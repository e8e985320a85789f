import { authenticateClient } from './client-authentication.js';
import { OAuthError } from './errors.js';
import type { ClientAuthDeps } from './client-authentication.js';
import type { GrantContext } from './grants/types.js';
import { findPresentedToken } from './presented-token.js';
import type { TokenRequest } from './token-endpoint.js';

/**
 * RFC 7009 token revocation. The client authenticates (a public client with its client_id
 * alone) and may revoke only its own tokens; an unknown token, or another client's, is
 * answered as a success (§2.2) so the endpoint reveals nothing.
 */
export async function revokeToken(
  request: TokenRequest,
  ctx: Pick<GrantContext, 'tokens' | 'keys' | 'accessTokens' | 'refreshTokens'>,
  clientAuth: ClientAuthDeps,
): Promise<void> {
  const { client } = await authenticateClient(request, clientAuth, { allowPublic: true });
  const token = request.params.token;
  if (token === undefined) throw OAuthError.invalidRequest('token');
  const found = await findPresentedToken(token, ctx);
  if (!found || found.access.clientId !== client.id) return;
  if (found.kind === 'refresh_token') {
    // §2.1: revoking a refresh token SHOULD invalidate the access tokens of the same grant.
    await ctx.refreshTokens.revoke(found.stored.id);
    if (found.stored.grantId !== null) await ctx.tokens.revokeGrant(found.stored.grantId);
  }
  // The access token goes with its refresh tokens: a revoked login must not refresh itself back.
  await ctx.tokens.revokeAccessToken(found.access.id);
}
