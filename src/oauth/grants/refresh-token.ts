import { OAuthError } from '../errors.js';
import type { AccessToken, Client, RefreshToken } from '../ports.js';
import { parseScopeParameter, scopesCover } from '../scopes.js';
import { sha256 } from '../random-tokens.js';
import { issueTokens } from './issue-tokens.js';
import type { Grant, GrantContext } from './types.js';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the presented refresh token is consumed
 * atomically, its access token revoked, and a new pair issued in the same grant. A refresh
 * token presented after it was rotated revokes every token of its grant.
 */
export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  summary: 'Rotates a refresh token: the old pair is revoked and a new pair issued; `scope` may narrow, never widen; a rotated token presented again revokes the grant.',
  parameters: {
    refresh_token: 'The refresh token to rotate',
  },
  allowsPublicClients: true,
  readsScope: true,
  responseFields: ['refresh_token'],
  async handle({ params, client }, ctx) {
    if (params.refresh_token === undefined) throw OAuthError.invalidRequest('refresh_token');
    const id = sha256(params.refresh_token);
    const { stored, access } = await findRefreshToken(ctx, id, client);
    // Tokens issued before grant ids existed start their grant with the first rotation.
    const grantId = stored.grantId ?? stored.id;
    if (stored.revoked) return replayed(ctx, grantId);
    if (stored.expiresAt.getTime() <= ctx.now()) throw OAuthError.invalidRefreshToken('Token has expired');
    const scopes = narrowedScopes(ctx, params.scope, access.scopes);
    if (access.userId !== null && !(await ctx.users.findById(access.userId))) {
      throw OAuthError.invalidRefreshToken('Token is not linked to a user');
    }
    // Exactly one concurrent request wins the token; the loser is treated as a replay.
    const consumed = await ctx.refreshTokens.consume(id);
    if (consumed.status !== 'consumed') return replayed(ctx, grantId);
    await ctx.tokens.revokeAccessToken(access.id);
    const { response } = await issueTokens(ctx, {
      client,
      userId: access.userId,
      scopes,
      grantId,
      withRefreshToken: true,
      replayable: true,
    });
    return response;
  },
};

async function findRefreshToken(ctx: GrantContext, id: string, client: Client): Promise<{ stored: RefreshToken; access: AccessToken }> {
  const stored = await ctx.refreshTokens.findById(id);
  const access = stored && (await ctx.accessTokens.findById(stored.accessTokenId));
  if (!stored || !access) throw OAuthError.invalidRefreshToken('Token is invalid');
  // Checked before anything changes: another client must not be able to burn this token.
  if (access.clientId !== client.id) throw OAuthError.invalidRefreshToken('Token is not linked to client');
  return { stored, access };
}

async function replayed(ctx: GrantContext, grantId: string): Promise<never> {
  await ctx.tokens.revokeGrant(grantId);
  throw OAuthError.invalidRefreshToken('Token has been revoked');
}

/** RFC 6749 §6: a narrower scope may be asked for, never one the original grant lacks. */
function narrowedScopes(ctx: GrantContext, parameter: string | undefined, original: string[]): string[] {
  const requested = parseScopeParameter(parameter);
  if (requested.length === 0) return original;
  const scopes = ctx.scopes.resolve(requested, { allowWildcard: true });
  for (const scope of scopes) {
    if (!scopesCover(original, [scope])) throw OAuthError.invalidScope(scope);
  }
  return scopes;
}
