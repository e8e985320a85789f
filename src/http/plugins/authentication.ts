import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthenticatedToken } from '../../oauth/token-service.js';
import { WILDCARD_SCOPE, scopesCover } from '../../oauth/scopes.js';
import type { Services } from '../../services.js';
import type { StoredUser, UserProfile } from '../../accounts/ports.js';
import { wantsHtml } from '../../web/error-page.js';
import { HttpError } from '../errors.js';
import { redirectToLogin } from './session.js';

/** Who is calling, and how (session cookie, transient API cookie, or bearer token). */
export interface Identity {
  via: 'session' | 'cookie' | 'bearer';
  /** Null for a client-credentials token (a machine client). */
  user: UserProfile | null;
  /** The bearer token, when `via` is bearer. */
  token: AuthenticatedToken | null;
  /** Scopes this identity carries (`*` for the session and the API cookie). */
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
  interface FastifyInstance {
    /** Supplied by the session layer; undefined means only bearer tokens authenticate. */
    webIdentity: WebIdentityResolver | undefined;
  }
}

export function bearerTokenOf(request: FastifyRequest): string | undefined {
  return bearerTokenIn(request.headers.authorization);
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerTokenIn(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Resolves a bearer token to an identity; undefined when the token is missing or not valid. */
export async function identifyBearer(services: Services, request: FastifyRequest): Promise<Identity | undefined> {
  const jwt = bearerTokenOf(request);
  if (!jwt) return undefined;
  // The token's user comes with it, from the cache: no row is read on the common path.
  const token = await services.tokens.authenticate(jwt);
  if (!token || !forOwnApi(token, services.config.appUrl)) return undefined;
  return { via: 'bearer', user: token.user, token, scopes: token.scopes };
}

/**
 * Optional hooks the session layer supplies, so the guards below stay one piece:
 * the transient API cookie (with its CSRF header) and the session.
 */
export interface WebIdentityResolver {
  /** `laravel_token` + matching X-CSRF-TOKEN / X-XSRF-TOKEN header → the user. */
  fromApiCookie(request: FastifyRequest): Promise<StoredUser | undefined>;
  /** The logged-in user of the session cookie. */
  fromSession(request: FastifyRequest): Promise<StoredUser | undefined>;
  /** True when the request carries the session's CSRF token (may read the session store). */
  csrfValid(request: FastifyRequest): boolean | Promise<boolean>;
}

/**
 * RFC 8707: Authgate's own API is a resource too (APP_URL). It accepts tokens meant for it —
 * `aud` APP_URL — and tokens without a resource, whose `aud` is the client id (as Passport's);
 * a token bound to another resource server is no credential here.
 */
export function forOwnApi(token: AuthenticatedToken, appUrl: string): boolean {
  return token.audience.includes(appUrl) || token.audience.includes(token.clientId);
}

/**
 * RFC 6750 §3 with RFC 9728 §5.1: where an `/api/*` client finds how to get a token (the
 * protected resource metadata), and why this one was refused.
 */
export function bearerChallenge(appUrl: string, problem?: { error: 'invalid_token' } | { error: 'insufficient_scope'; scope: string }): string {
  const metadata = `resource_metadata="${appUrl}/.well-known/oauth-protected-resource"`;
  if (!problem) return `Bearer ${metadata}`;
  if (problem.error === 'invalid_token') return `Bearer error="invalid_token", ${metadata}`;
  return `Bearer error="insufficient_scope", scope="${problem.scope}", ${metadata}`;
}

export interface ApiGuardOptions {
  /** Scopes a token must carry. */
  scopes?: string[];
  /** Whether a client-credentials token (no user) may call the route. */
  allowMachineClients?: boolean;
}

/**
 * `/api/*` (Passport's `auth:api`): a bearer token, or the API cookie with its CSRF header.
 * Refusals carry the Bearer challenge (the JSON bodies stay Laravel's).
 */
export function apiGuard(services: Services, options: ApiGuardOptions = {}): preHandlerAsyncHookHandler {
  const appUrl = services.config.appUrl;
  return async (request) => {
    const bearer = await identifyBearer(services, request);
    let identity: Identity | undefined = bearer;
    const webResolver = request.server.webIdentity;
    if (!identity && webResolver) {
      const user = await webResolver.fromApiCookie(request);
      if (user) identity = { via: 'cookie', user, token: null, scopes: [WILDCARD_SCOPE] };
    }
    const sentToken = bearerTokenOf(request) !== undefined;
    const unauthenticated = () =>
      new HttpError(401, 'Unauthenticated.', { 'WWW-Authenticate': bearerChallenge(appUrl, sentToken ? { error: 'invalid_token' } : undefined) });
    if (!identity) throw unauthenticated();
    if (!identity.user && !options.allowMachineClients) throw unauthenticated();
    if (options.scopes && !scopesCover(identity.scopes, options.scopes)) {
      throw new HttpError(403, 'Invalid scope(s) provided.', { 'WWW-Authenticate': bearerChallenge(appUrl, { error: 'insufficient_scope', scope: options.scopes.join(' ') }) });
    }
    request.identity = identity;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The management routes (Passport's `web` group): the session, the API cookie, or — beyond
 * Passport — a user's bearer token carrying `*`. Not so authenticated, a state-changing
 * request is checked for CSRF first (419), then for a session (401, or — for a browser asking
 * for a page — the login page and back), as the reference shows.
 */
export function webGuard(services: Services): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const bearer = await identifyBearer(services, request);
    if (bearer?.user) {
      if (!bearer.scopes.includes(WILDCARD_SCOPE)) throw HttpError.invalidScopes();
      request.identity = bearer;
      return;
    }
    const webResolver = request.server.webIdentity;
    const cookieUser = await webResolver?.fromApiCookie(request);
    if (cookieUser) {
      request.identity = { via: 'cookie', user: cookieUser, token: null, scopes: [WILDCARD_SCOPE] };
      return;
    }
    if (!SAFE_METHODS.has(request.method) && !(await webResolver?.csrfValid(request))) throw HttpError.csrfMismatch();
    const sessionUser = await webResolver?.fromSession(request);
    if (!sessionUser && wantsHtml(request)) return redirectToLogin(request, reply);
    if (!sessionUser) throw HttpError.unauthenticated();
    request.identity = { via: 'session', user: sessionUser, token: null, scopes: [WILDCARD_SCOPE] };
  };
}

/** The authenticated user of a guarded route (guards guarantee one where the route needs it). */
export function currentUser(request: FastifyRequest): UserProfile {
  const user = request.identity?.user;
  if (!user) throw HttpError.unauthenticated();
  return user;
}
