import type { CompactJWSHeaderParameters, KeyObject } from 'jose';
import { compactVerify } from 'jose';
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
    const jti = await verifiedTokenId(token, deps.keys);
    const access = jti === undefined ? undefined : await deps.accessTokens.findById(jti);
    return access && { kind: 'access_token', access };
  }
  const stored = await deps.refreshTokens.findById(sha256(token));
  const access = stored && (await deps.accessTokens.findById(stored.accessTokenId));
  return stored && access && { kind: 'refresh_token', stored, access };
}

/** The jti of a JWT signed by one of our keys, expired or not (revoking an expired token is harmless). */
async function verifiedTokenId(jwt: string, keys: KeySet): Promise<string | undefined> {
  const keyFor = (header: CompactJWSHeaderParameters): KeyObject => {
    const key = header.kid
      ? keys.verification.get(header.kid)
      : [...keys.verification.values()].find((candidate) => candidate.alg === header.alg);
    if (!key || key.alg !== header.alg) throw new Error('unknown signing key');
    return key.publicKey;
  };
  try {
    const { payload } = await compactVerify(jwt, keyFor);
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    const jti = typeof claims === 'object' && claims !== null ? (claims as { jti?: unknown }).jti : undefined;
    return typeof jti === 'string' ? jti : undefined;
  } catch {
    return undefined;
  }
}
