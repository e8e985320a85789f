import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a CSRF token from the request with the session's in constant time. Both sides are
 * hashed first so that tokens of different lengths compare in the same time as equal ones.
 */
export function csrfTokensMatch(expected: string | undefined, candidate: string | undefined): boolean {
  if (!expected || !candidate) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(a, b);
}

/** The names under which Laravel accepts the token: the `_token` field, X-CSRF-TOKEN, X-XSRF-TOKEN. */
export const CSRF_FIELD = '_token';
export const CSRF_HEADER = 'x-csrf-token';
export const XSRF_HEADER = 'x-xsrf-token';
export const XSRF_COOKIE = 'XSRF-TOKEN';
