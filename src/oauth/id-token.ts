import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ResourceOwner } from './ports.js';
import type { KeySet, SigningAlgorithm } from './signing-keys.js';

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  user: ResourceOwner;
  scopes: readonly string[];
  /** The nonce of the authorization request, echoed back (OIDC Core §3.1.2.1). */
  nonce: string | null;
  /** Unix seconds of the user's login. */
  authTime: number | null;
  /** The access token issued alongside, hashed into at_hash. */
  accessToken: string;
  ttlSeconds: number;
  nowSeconds: number;
}

/**
 * OIDC Core §3.3.2.11: at_hash is the left half of the hash of the access token, with the
 * hash of the signing algorithm (SHA-256 for ES256/RS256; SHA-512 for Ed25519).
 */
export function accessTokenHash(accessToken: string, alg: SigningAlgorithm): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/** The ID token of the code flow (OIDC Core §2), signed with the access tokens' key. */
export async function signIdToken(keys: KeySet, input: IdTokenInput): Promise<string> {
  const { active } = keys;
  const claims: Record<string, unknown> = {
    at_hash: accessTokenHash(input.accessToken, active.alg),
    ...(input.nonce !== null ? { nonce: input.nonce } : {}),
    ...(input.authTime !== null ? { auth_time: input.authTime } : {}),
    ...profileClaims(input.user, input.scopes),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: active.alg, typ: 'JWT', kid: active.kid })
    .setIssuer(input.issuer)
    .setSubject(String(input.user.id))
    .setAudience(input.clientId)
    .setIssuedAt(input.nowSeconds)
    .setExpirationTime(input.nowSeconds + input.ttlSeconds)
    .sign(active.privateKey);
}

/** OIDC Core §5.4: the claims the `profile` and `email` scopes release. */
export function profileClaims(user: ResourceOwner, scopes: readonly string[]): Record<string, unknown> {
  return {
    ...(scopes.includes('profile') ? { name: user.name } : {}),
    ...(scopes.includes('email') ? { email: user.email, email_verified: user.emailVerifiedAt !== null } : {}),
  };
}
