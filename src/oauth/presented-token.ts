import { verifyCompact } from './compact-jws.js';
import type { AccessToken, AccessTokenRepository, RefreshToken, RefreshTokenRepository } from './ports.js';
import type { KeySet } from './signing-keys.js';
import { sha256 } from './random-tokens.js';

/** A token sent to the revocation or introspection endpoint, resolved to its stored rows. */
export type PresentedToken =
  | { kind: 'access_token'; access: AccessToken }
  | { kind: 'refresh_token'; stored: RefreshToken; access: AccessToken };

export interface PresentedTokenDeps {
  keys: KeySet;
  accessTokens: AccessTokenRepository;
  refreshTokens: RefreshTokenRepository;
}

/**
 * Finds what a presented token is. Access tokens are JWTs (three dot-separated parts) whose
 * signature must be ours; anything else is looked up as a refresh token by its hash. The
 * token_type_hint (RFC 7009 §2.1) is only a hint: the shapes cannot be confused.
 */
export async function findPresentedToken(token: string, deps: PresentedTokenDeps): Promise<PresentedToken | undefined> {
  if (token.split('.').length === 3) {
    const jti = verifiedTokenId(token, deps.keys);
    const access = jti === undefined ? undefined : await deps.accessTokens.findById(jti);
    return access && { kind: 'access_token', access };
  }
  const stored = await deps.refreshTokens.findById(sha256(token));
  const access = stored && (await deps.accessTokens.findById(stored.accessTokenId));
  return stored && access && { kind: 'refresh_token', stored, access };
}

/** The jti of a JWT signed by one of our keys, expired or not (revoking an expired token is harmless). */
function verifiedTokenId(jwt: string, keys: KeySet): string | undefined {
  const jti = verifyCompact(jwt, keys)?.payload.jti;
  return typeof jti === 'string' ? jti : undefined;
}
