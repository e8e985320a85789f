import { signIdToken } from '../id-token.js';
import type { Client, ResourceOwner } from '../ports.js';
import type { Audience } from '../resource-indicators.js';
import type { IssuedAccessToken } from '../token-service.js';
import type { GrantContext, TokenResponse } from './types.js';

export interface IssueTokens {
  client: Client;
  userId: number | null;
  scopes: string[];
  /** The grant the tokens descend from (replay defence revokes by it). */
  grantId: string | null;
  withRefreshToken: boolean;
  /** True for grants a replay can revoke (codes, refresh tokens, device codes). */
  replayable?: boolean;
  /** RFC 8707: the resources the access token is for (its `aud`, its lifetime); none: the client id. */
  audience?: Audience;
}

export interface IssuedTokens {
  response: TokenResponse;
  accessToken: IssuedAccessToken;
}

/** Signs and stores an access token (and a refresh token), shaped as RFC 6749 §5.1 answers them. */
export async function issueTokens(ctx: GrantContext, input: IssueTokens): Promise<IssuedTokens> {
  const ttl = input.audience?.ttlSeconds ?? ctx.settings.accessTokenTtl;
  const accessToken = await ctx.tokens.issueAccessToken({
    clientId: input.client.id,
    userId: input.userId,
    scopes: input.scopes,
    ttlSeconds: ttl,
    grantId: input.grantId,
    resources: input.audience?.uris ?? null,
  });
  const response: TokenResponse = { token_type: 'Bearer', expires_in: ttl, access_token: accessToken.jwt };
  if (input.withRefreshToken) {
    response.refresh_token = await ctx.tokens.issueRefreshToken(accessToken.record, ctx.settings.refreshTokenTtl, input.grantId);
  }
  if (input.replayable && input.grantId !== null) await revokeIfReplayed(ctx, input.grantId);
  return { response, accessToken };
}

/**
 * Two presentations of one code or refresh token: one wins, the other revokes the grant. The
 * loser may revoke before the winner's tokens exist; so the winner, once its tokens are
 * written, asks whether the grant was revoked meanwhile and, if so, revokes them too (RFC 9700
 * §4.14.2: the whole grant goes, including what a concurrent request just wrote). The winner
 * still gets its answer, as it would have had it been a moment faster; those tokens are dead.
 */
async function revokeIfReplayed(ctx: GrantContext, grantId: string): Promise<void> {
  if (await ctx.tokens.isGrantRevoked(grantId)) await ctx.tokens.revokeGrant(grantId);
}

export interface IssueUserTokens {
  client: Client;
  user: ResourceOwner;
  scopes: string[];
  grantId: string;
  nonce: string | null;
  /** Unix seconds of the user's login, when known. */
  authTime: number | null;
  audience: Audience;
}

/** A user's access and refresh token, plus an ID token when `openid` was granted (OIDC Core §3.1.3.3). */
export async function issueUserTokens(ctx: GrantContext, input: IssueUserTokens): Promise<TokenResponse> {
  const { client, user, scopes } = input;
  const { response, accessToken } = await issueTokens(ctx, {
    client,
    userId: user.id,
    scopes,
    grantId: input.grantId,
    withRefreshToken: true,
    replayable: true,
    audience: input.audience,
  });
  if (!scopes.includes('openid')) return response;
  const idToken = await signIdToken(ctx.keys, {
    issuer: ctx.settings.issuer,
    clientId: client.id,
    user,
    scopes,
    nonce: input.nonce,
    authTime: input.authTime,
    accessToken: accessToken.jwt,
    ttlSeconds: input.audience.ttlSeconds ?? ctx.settings.accessTokenTtl,
    nowSeconds: Math.floor(ctx.now() / 1000),
  });
  return { ...response, id_token: idToken };
}
