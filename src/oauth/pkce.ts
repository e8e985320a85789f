import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 §4.2: the methods a code challenge may use. */
export type CodeChallengeMethod = 'S256' | 'plain';

export const CODE_CHALLENGE_METHODS: readonly CodeChallengeMethod[] = ['S256', 'plain'];

// RFC 7636 §4.1 and §4.2: verifier and challenge are 43–128 unreserved characters.
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isCodeChallengeMethod(value: string): value is CodeChallengeMethod {
  return (CODE_CHALLENGE_METHODS as readonly string[]).includes(value);
}

/** A code_verifier as RFC 7636 §4.1 defines it. */
export function isValidCodeVerifier(verifier: string): boolean {
  return PKCE_VALUE.test(verifier);
}

/** A code_challenge as RFC 7636 §4.2 defines it (an S256 challenge is always 43 characters). */
export function isValidCodeChallenge(challenge: string, method: CodeChallengeMethod): boolean {
  return method === 'S256' ? /^[A-Za-z0-9\-_]{43}$/.test(challenge) : PKCE_VALUE.test(challenge);
}

/** RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * RFC 7636 §4.6: recompute the challenge from the verifier and compare in constant time.
 * An unknown method never verifies.
 */
export function verifyCodeChallenge(verifier: string, challenge: string, method: string): boolean {
  if (!isValidCodeVerifier(verifier)) return false;
  let computed: string;
  if (method === 'S256') computed = s256Challenge(verifier);
  else if (method === 'plain') computed = verifier;
  else return false;
  const expected = Buffer.from(challenge);
  const actual = Buffer.from(computed);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
