import type { Client } from '../ports.js';
import type { IssuedAccessToken } from '../token-service.js';
import type { OAuthContext, TokenResponse } from './types.js';

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
export async function issueTokens(ctx: OAuthContext, input: IssueTokens): Promise<IssuedTokens> {
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
