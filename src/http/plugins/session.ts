import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { ApiCookieSigner } from '../../accounts/api-cookie.js';
import { CSRF_FIELD, CSRF_HEADER, XSRF_COOKIE, XSRF_HEADER, csrfTokensMatch } from '../../accounts/csrf.js';
import type { SessionData, SessionStore } from '../../accounts/sessions.js';
import { SESSION_IDLE_SECONDS, safeIntendedPath } from '../../accounts/sessions.js';
import type { Services } from '../../services.js';
import type { StoredUser } from '../../accounts/ports.js';
import type { WebIdentityResolver } from './authentication.js';
import { RequestSession } from '../../accounts/request-session.js';

/** The session cookie (Laravel's `laravel_session`, named after this application). */
export const SESSION_COOKIE = 'authgate_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route that never uses the session (OAuth machine endpoints). */
    stateless?: boolean;
  }
  interface FastifyRequest {
    /** This request's view of the server-side session, loaded on first use (null on stateless routes). */
    session: RequestSession;
  }
}

const kSessionContext = Symbol('authgate.sessionContext');

interface SessionContext {
  services: Services;
  cookieOptions: CookieSerializeOptions;
  apiCookie: ApiCookieSigner;
}

/**
 * Sessions, CSRF tokens and the transient API cookie. Registered on the root app
 * (not encapsulated) so every route module sees `request.session` and `app.webIdentity`.
 */
export function registerSessions(app: FastifyInstance, services: Services): void {
  const { config } = services;
  const store: SessionStore = services.sessions;
  const context: SessionContext = {
    services,
    // SameSite=Lax everywhere, Secure when the application is served over https.
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.appUrl.startsWith('https:') },
    apiCookie: new ApiCookieSigner(services.appKey, SESSION_IDLE_SECONDS),
  };

  app.decorate(kSessionContext, context);
  app.decorateRequest('session', null as unknown as RequestSession);
  app.addHook('onRequest', (request, _reply, done) => {
    // Machine endpoints (the token endpoint above all) never touch a session: skip the work.
    if (request.routeOptions.config.stateless !== true) {
      const id = request.cookies[SESSION_COOKIE];
      request.session = new RequestSession(store, id, { ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? null });
    }
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.session) return done(null, payload);
    finishSession(context, request, reply).then(
      () => done(null, payload),
      // An answer that already reports a failure (the session store being down, say) goes out as it is.
      (error: unknown) => (reply.statusCode >= 500 ? done(null, payload) : done(error as Error)),
    );
  });
  app.webIdentity = webIdentityResolver(context);
}

async function finishSession(context: SessionContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const outcome = await request.session.commit();
  const { cookieOptions } = context;
  if (outcome.cleared) reply.clearCookie(SESSION_COOKIE, cookieOptions);
  if (outcome.newId) reply.setCookie(SESSION_COOKIE, outcome.newId, cookieOptions);
  const data = outcome.data;
  if (!data) return;
  // Laravel's XSRF-TOKEN: readable by scripts (not HttpOnly), signed, for the X-XSRF-TOKEN header.
  if (outcome.newId || xsrfCookieToken(request) !== data.csrfToken) {
    reply.setCookie(XSRF_COOKIE, data.csrfToken, { ...cookieOptions, httpOnly: false, signed: true });
  }
  if (shouldRefreshApiCookie(request, reply, data)) {
    await setApiCookie(context, reply, data.userId as number, data.csrfToken);
  }
}

/** Passport's CreateFreshApiToken: every authenticated GET page gets a fresh `laravel_token`. */
function shouldRefreshApiCookie(request: FastifyRequest, reply: FastifyReply, data: SessionData): boolean {
  if (request.method !== 'GET' || data.userId === undefined || reply.statusCode >= 400) return false;
  const type = String(reply.getHeader('content-type') ?? '');
  return type.startsWith('text/html');
}

async function setApiCookie(context: SessionContext, reply: FastifyReply, userId: number, csrfToken: string): Promise<void> {
  const jwt = await context.apiCookie.issue(userId, csrfToken);
  reply.setCookie(context.services.config.apiCookieName, jwt, { ...context.cookieOptions, maxAge: context.apiCookie.ttlSeconds });
}

/** Sets a fresh `laravel_token` for the user, bound to this CSRF token (POST /oauth/token/refresh). */
export async function refreshApiCookie(reply: FastifyReply, userId: number, csrfToken: string): Promise<void> {
  const context = (reply.server as unknown as Record<symbol, SessionContext | undefined>)[kSessionContext];
  if (!context) throw new Error('registerSessions() was not called');
  await setApiCookie(context, reply, userId, csrfToken);
}

/** The value of an `XSRF-TOKEN` cookie or `X-XSRF-TOKEN` header, when its signature is ours. */
function unsignXsrf(request: FastifyRequest, value: string | undefined): string | undefined {
  if (!value) return undefined;
  // Scripts send the cookie as document.cookie shows it (percent-encoded) or decoded (axios).
  for (const candidate of new Set([value, safeDecode(value)])) {
    const result = request.unsignCookie(candidate);
    if (result.valid && result.value !== null) return result.value;
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function xsrfCookieToken(request: FastifyRequest): string | undefined {
  return unsignXsrf(request, request.cookies[XSRF_COOKIE]);
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The CSRF token a script sent in a header: `X-CSRF-TOKEN` as is, `X-XSRF-TOKEN` as the signed cookie value. */
export function headerCsrfToken(request: FastifyRequest): string | undefined {
  return headerValue(request, CSRF_HEADER) ?? unsignXsrf(request, headerValue(request, XSRF_HEADER));
}

/** Every place a request may carry the CSRF token: the `_token` field, X-CSRF-TOKEN, or X-XSRF-TOKEN. */
function csrfCandidates(request: FastifyRequest): string[] {
  const body = request.body;
  const field = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
  const candidates = [typeof field === 'string' ? field : undefined, headerValue(request, CSRF_HEADER), unsignXsrf(request, headerValue(request, XSRF_HEADER))];
  return candidates.filter((value): value is string => value !== undefined);
}

/** True when the request carries its session's CSRF token. */
export async function csrfValid(request: FastifyRequest): Promise<boolean> {
  const data = await request.session.get();
  if (!data) return false;
  return csrfCandidates(request).some((candidate) => csrfTokensMatch(data.csrfToken, candidate));
}

/** The logged-in user of the session; a session whose user was deleted is logged out. */
export async function sessionUser(services: Services, request: FastifyRequest): Promise<StoredUser | undefined> {
  const data = await request.session.get();
  if (data?.userId === undefined) return undefined;
  const user = await services.users.find(data.userId);
  if (!user) {
    delete data.userId;
    delete data.authTime;
    request.session.changed();
  }
  return user;
}

function webIdentityResolver(context: SessionContext): WebIdentityResolver {
  const { services } = context;
  return {
    async fromApiCookie(request) {
      const cookie = request.cookies[services.config.apiCookieName];
      if (!cookie) return undefined;
      const claims = await context.apiCookie.verify(cookie, headerCsrfToken(request));
      return claims && services.users.find(claims.userId);
    },
    fromSession: (request) => sessionUser(services, request),
    csrfValid,
  };
}

/**
 * Laravel's `expectsJson()`: an `Accept` naming JSON, or an XHR. Everything else is treated as
 * a browser and gets pages and redirects.
 */
export function expectsJson(request: FastifyRequest): boolean {
  if (request.headers['x-requested-with'] === 'XMLHttpRequest') return true;
  return /json/i.test(request.headers.accept ?? '');
}

/** Sends a visitor to the login page, remembering where to come back to (GET pages only). */
export async function redirectToLogin(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const data = await request.session.start();
  const intended = request.method === 'GET' ? safeIntendedPath(request.url) : undefined;
  if (intended) data.intended = intended;
  request.session.changed();
  return reply.redirect('/login', 302);
}
