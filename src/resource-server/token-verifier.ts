import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { FetchImplementation, JWTPayload, JWTVerifyGetKey } from 'jose';
import { ResourceServerError } from './errors.js';

/** The claims of an Authgate access token (RFC 9068 §2.2 plus Passport's `scopes` array). */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  scopes?: string[];
}

/**
 * A verified access token. The first five fields are the MCP SDK's `AuthInfo`, so the object
 * can be put on `req.auth` and reaches tool handlers as `extra.authInfo`.
 */
export interface AccessTokenInfo {
  token: string;
  clientId: string;
  scopes: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The resource this server protects (RFC 8707), which the token's audience names. */
  resource: URL;
  /** `sub`: a user id, or the client id for a client credentials token (RFC 9068 §2.2). */
  subject: string;
  claims: AccessTokenClaims;
  /** What `AuthInfo.extra` carries to MCP tool handlers. */
  extra: { subject: string; tokenId: string; issuer: string };
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: readonly string[];
  resource: string;
  jwksUri: string;
  clockToleranceSeconds: number;
  /** Least time between two JWKS fetches triggered by an unknown `kid` (jose: cooldownDuration). */
  jwksCooldownSeconds: number;
  /** How long a fetched JWKS is used before it is fetched again. */
  jwksCacheMaxAgeSeconds: number;
  fetch?: FetchImplementation;
}

/** Authgate signs with these (src/oauth/signing-keys.ts); never `none`, never a shared-secret HS*. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;

/** RFC 9068 §2.2: the claims an access token must carry. */
const REQUIRED_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];

export type TokenVerifier = (token: string, requiredScopes: readonly string[]) => Promise<AccessTokenInfo>;

/** A marker for "the keys could not be fetched", told apart from "the token is bad". */
class KeySetUnavailable extends Error {}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const getKey = remoteKeys(options);
  const resource = new URL(options.resource);
  return async (token, requiredScopes) => {
    checkHeader(token);
    const claims = await verifyClaims(token, getKey, options);
    const scopes = scopesOf(claims);
    const missing = requiredScopes.filter((scope) => !scopes.includes(scope));
    if (missing.length > 0) throw ResourceServerError.insufficientScope(requiredScopes);
    return {
      token,
      clientId: claims.client_id,
      scopes,
      expiresAt: claims.exp,
      resource,
      subject: claims.sub,
      claims,
      extra: { subject: claims.sub, tokenId: claims.jti, issuer: claims.iss },
    };
  };
}

/**
 * jose's remote key set caches the JWKS and fetches it again when a token names an unknown
 * `kid` (key rotation), at most once per cooldown, so a flood of made-up kids cannot turn into a
 * flood of requests to the authorization server.
 */
function remoteKeys(options: TokenVerifierOptions): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownSeconds * 1000,
    cacheMaxAge: options.jwksCacheMaxAgeSeconds * 1000,
    ...(options.fetch === undefined ? {} : { [customFetch]: options.fetch }),
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new KeySetUnavailable('the JWKS could not be fetched', { cause: error });
    }
  };
}

/**
 * Cheap checks before any key is fetched. RFC 8725 §3.1: only the algorithms we expect. RFC
 * 9068 §4: the resource server checks `typ` is `at+jwt`, so an ID token or another JWT signed
 * by the same keys is never taken for an access token. Authgate always writes `at+jwt`; a
 * plain `JWT` is refused even with a `client_id` claim, as the RFC asks.
 */
function checkHeader(token: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (error) {
    throw ResourceServerError.invalidToken('The access token is malformed', error);
  }
  if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(header.alg ?? '')) {
    throw ResourceServerError.invalidToken('The access token is signed with an algorithm this resource does not accept');
  }
  if (!isAccessTokenType(header.typ)) throw ResourceServerError.invalidToken('The token is not an access token (typ must be at+jwt)');
}

function isAccessTokenType(typ: string | undefined): boolean {
  return typ !== undefined && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}

async function verifyClaims(token: string, getKey: JWTVerifyGetKey, options: TokenVerifierOptions): Promise<AccessTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer: options.issuer,
      // RFC 8707 §2 / MCP: the token must name this resource among its audiences.
      audience: [...options.audience],
      algorithms: [...ACCEPTED_ALGORITHMS],
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: REQUIRED_CLAIMS,
    }));
  } catch (error) {
    throw tokenError(error);
  }
  return checkClaimTypes(payload, options.clockToleranceSeconds);
}

function checkClaimTypes(payload: JWTPayload, toleranceSeconds: number): AccessTokenClaims {
  const { sub, jti, client_id: clientId, iat } = payload;
  if (typeof sub !== 'string' || typeof jti !== 'string' || typeof clientId !== 'string') {
    throw ResourceServerError.invalidToken('The access token lacks a required claim');
  }
  // jose only bounds `iat` with maxTokenAge; a token from the future means a broken clock or a forgery.
  if (typeof iat !== 'number' || iat > Date.now() / 1000 + toleranceSeconds) {
    throw ResourceServerError.invalidToken('The access token was issued in the future');
  }
  return payload as AccessTokenClaims;
}

/** RFC 9068 §2.2.3: `scope` (space-separated); Authgate also writes Passport's `scopes` array. */
function scopesOf(claims: AccessTokenClaims): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(claims.scopes)) return claims.scopes.filter((scope): scope is string => typeof scope === 'string');
  return [];
}

const CLAIM_MESSAGES: Record<string, string> = {
  iss: 'The access token was issued by another authorization server',
  aud: 'The access token was not issued for this resource',
  nbf: 'The access token is not valid yet',
  exp: 'The access token has expired',
  iat: 'The access token was issued in the future',
};

function tokenError(error: unknown): ResourceServerError {
  if (error instanceof KeySetUnavailable) return ResourceServerError.unavailable(error.cause);
  if (error instanceof errors.JWTExpired) return ResourceServerError.invalidToken('The access token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const message = error.reason === 'missing' ? `The access token has no "${error.claim}" claim` : CLAIM_MESSAGES[error.claim];
    return ResourceServerError.invalidToken(message ?? 'The access token has an invalid claim', error);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return ResourceServerError.invalidToken('The access token was signed by an unknown key', error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return ResourceServerError.invalidToken('The access token signature is invalid', error);
  return ResourceServerError.invalidToken('The access token is invalid', error);
}
