import { signIdToken } from '../id-token.js';
import type { Client, ResourceOwner } from '../ports.js';
import type { IssuedAccessToken } from '../token-service.js';
import type { GrantContext, TokenResponse } from './types.js';

export interface IssueTokens {
  client: Client;
  userId: number | null;
  scopes: string[];
  /** The grant the tokens descend from (replay defence revokes by it). */
  grantId: string | null;
  withRefreshToken: boolean;
}

export interface IssuedTokens {
  response: TokenResponse;
  accessToken: IssuedAccessToken;
}

/** Signs and stores an access token (and a refresh token), shaped as RFC 6749 §5.1 answers them. */
export async function issueTokens(ctx: GrantContext, input: IssueTokens): Promise<IssuedTokens> {
  const ttl = ctx.settings.accessTokenTtl;
  const accessToken = await ctx.tokens.issueAccessToken({
    clientId: input.client.id,
    userId: input.userId,
    scopes: input.scopes,
    ttlSeconds: ttl,
    grantId: input.grantId,
  });
  const response: TokenResponse = { token_type: 'Bearer', expires_in: ttl, access_token: accessToken.jwt };
  if (input.withRefreshToken) {
    response.refresh_token = await ctx.tokens.issueRefreshToken(accessToken.record, ctx.settings.refreshTokenTtl, input.grantId);
  }
  return { response, accessToken };
}

export interface IssueUserTokens {
  client: Client;
  user: ResourceOwner;
  scopes: string[];
  grantId: string;
  nonce: string | null;
  /** Unix seconds of the user's login, when known. */
  authTime: number | null;
}

/** A user's access and refresh token, plus an ID token when `openid` was granted (OIDC Core §3.1.3.3). */
export async function issueUserTokens(ctx: GrantContext, input: IssueUserTokens): Promise<TokenResponse> {
  const { client, user, scopes } = input;
  const { response, accessToken } = await issueTokens(ctx, { client, userId: user.id, scopes, grantId: input.grantId, withRefreshToken: true });
  if (!scopes.includes('openid')) return response;
  const idToken = await signIdToken(ctx.keys, {
    issuer: ctx.settings.issuer,
    clientId: client.id,
    user,
    scopes,
    nonce: input.nonce,
    authTime: input.authTime,
    accessToken: accessToken.jwt,
    ttlSeconds: ctx.settings.accessTokenTtl,
    nowSeconds: Math.floor(ctx.now() / 1000),
  });
  return { ...response, id_token: idToken };
}
