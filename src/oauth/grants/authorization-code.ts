import { OAuthError } from '../errors.js';
import { isValidCodeVerifier, verifyCodeChallenge } from '../pkce.js';
import type { AuthCode, Client, ResourceOwner } from '../ports.js';
import type { Audience } from '../resource-indicators.js';
import { scopesWithin } from '../resource-indicators.js';
import { sha256 } from '../random-tokens.js';
import { issueUserTokens } from './issue-tokens.js';
import type { Grant, GrantContext, OAuthParams, TokenResponse } from './types.js';

const PKCE_FAILED = 'Failed to verify `code_verifier`.';

/**
 * RFC 6749 §4.1.3: exchange an authorization code. The code is consumed first, atomically, so
 * two concurrent exchanges cannot both succeed; a code presented again revokes every token
 * issued from it (RFC 6749 §4.1.2, RFC 9700 §4.5.3.1). Tokens carry the code's id as grant id.
 */
export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  summary: 'Exchanges the code from the authorization redirect: single use, PKCE (S256 required for public clients), the same `redirect_uri`.',
  parameters: {
    code: 'The code from the redirect',
    redirect_uri: 'The redirect_uri sent to /oauth/authorize, when one was sent',
    code_verifier: 'The PKCE verifier (RFC 7636)',
  },
  allowsPublicClients: true,
  readsScope: false,
  responseFields: ['refresh_token', 'id_token'],
  async handle({ params, client, resources }, ctx) {
    if (params.code === undefined) throw OAuthError.invalidRequest('code');
    const codeId = sha256(params.code);
    const result = await ctx.authCodes.consume(codeId);
    if (result.status === 'missing') throw OAuthError.invalidGrant('Authorization code is invalid');
    if (result.status === 'reused') {
      await ctx.tokens.revokeGrant(codeId);
      throw OAuthError.invalidGrant('Authorization code has been revoked');
    }
    const code = result.record;
    checkCode(code, client, params, ctx.now());
    checkProofKey(code, client, params.code_verifier);
    const user = await ctx.users.findById(code.userId);
    if (!user) throw OAuthError.invalidGrant('The user of this authorization code no longer exists');
    // RFC 8707 §2.2: the token request may narrow the resources of the authorization, never add one.
    const audience = await ctx.resources.narrow(resources, code.resources);
    return respond(ctx, { code, client, user, audience });
  },
};

/** Expiry, client and redirect URI (RFC 6749 §4.1.3). */
function checkCode(code: AuthCode, client: Client, params: OAuthParams, now: number): void {
  if (code.expiresAt.getTime() <= now) throw OAuthError.invalidGrant('Authorization code has expired');
  if (code.clientId !== client.id) throw OAuthError.invalidGrant('Authorization code was not issued to this client');
  const sent = params.redirect_uri;
  if (code.redirectUri !== null) {
    // "REQUIRED, if the redirect_uri parameter was included in the authorization request, and their values MUST be identical."
    if (sent === undefined) throw OAuthError.invalidRequest('redirect_uri');
    if (sent !== code.redirectUri) throw OAuthError.invalidGrant('Invalid redirect URI');
  } else if (sent !== undefined && !client.redirectUris.includes(sent)) {
    throw OAuthError.invalidGrant('Invalid redirect URI');
  }
}

/** RFC 7636 §4.6, and RFC 9700 §2.1.1: no PKCE downgrade, and public clients must have used it. */
function checkProofKey(code: AuthCode, client: Client, verifier: string | undefined): void {
  if (code.codeChallenge === null) {
    // A verifier for a code issued without a challenge means the challenge was stripped on the way.
    if (verifier !== undefined) throw OAuthError.invalidGrant(PKCE_FAILED);
    if (client.secretHash === null) {
      throw OAuthError.invalidGrant('Public clients must use PKCE: the authorization request carried no `code_challenge`');
    }
    return;
  }
  if (verifier === undefined) throw OAuthError.invalidRequest('code_verifier');
  // RFC 7636 §4.1: 43–128 unreserved characters; anything else cannot match.
  const method = code.codeChallengeMethod ?? 'plain';
  if (!isValidCodeVerifier(verifier) || !verifyCodeChallenge(verifier, code.codeChallenge, method)) {
    throw OAuthError.invalidGrant(PKCE_FAILED);
  }
}

function respond(ctx: GrantContext, input: { code: AuthCode; client: Client; user: ResourceOwner; audience: Audience }): Promise<TokenResponse> {
  const { code, client, user, audience } = input;
  return issueUserTokens(ctx, {
    client,
    user,
    scopes: scopesWithin(ctx.scopes, code.scopes, audience),
    audience,
    grantId: code.id,
    nonce: code.nonce,
    authTime: code.authTime,
  });
}
