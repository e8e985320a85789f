import { createHash, hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { csrfTokensMatch } from './csrf.js';

/**
 * The transient API cookie (Passport's `laravel_token`): lets the application's own pages call
 * the JSON API with the session's user. It is an HS256 JWT under a key derived from APP_KEY,
 * bound to the user and to the session's CSRF token — the token is kept as a hash, so the
 * cookie never carries it — and accepted only with that token in a header, which a cross-site
 * page cannot send.
 */
const AUDIENCE = 'authgate:api-cookie';

export interface ApiCookieClaims {
  userId: number;
}

export class ApiCookieSigner {
  private readonly key: Uint8Array;

  constructor(
    appKey: string,
    /** Lifetime in seconds; the pages refresh it on every authenticated GET. */
    readonly ttlSeconds: number,
  ) {
    // A key for this purpose only, so the cookie signature never doubles as another secret.
    this.key = new Uint8Array(hkdfSync('sha256', appKey, 'authgate', 'laravel_token HS256', 32));
  }

  issue(userId: number, csrfToken: string): Promise<string> {
    return new SignJWT({ csrf: hashCsrf(csrfToken) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The user id, when the cookie is genuine, unexpired and the CSRF token matches its binding. */
  async verify(cookie: string, csrfToken: string | undefined): Promise<ApiCookieClaims | undefined> {
    if (!csrfToken) return undefined;
    try {
      const { payload } = await jwtVerify<{ csrf?: unknown }>(cookie, this.key, { algorithms: ['HS256'], audience: AUDIENCE, requiredClaims: ['sub', 'exp'] });
      if (typeof payload.csrf !== 'string' || !csrfTokensMatch(payload.csrf, hashCsrf(csrfToken))) return undefined;
      if (!payload.sub || !/^\d+$/.test(payload.sub)) return undefined;
      return { userId: Number(payload.sub) };
    } catch {
      return undefined;
    }
  }
}

function hashCsrf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
