import { CSRF_HEADER } from '../../accounts/csrf.js';
import type { Config } from '../../config.js';
import { SESSION_COOKIE } from '../plugins/session.js';
import type { DocResponse } from './doc-schemas.js';
import { commonErrors } from './doc-schemas.js';
import type { SecurityRequirement, SecurityScheme } from './document.js';
import type { Access } from './route-notes.js';

/** The ways in (bearer token, session cookie, API cookie with its CSRF header), as OpenAPI security schemes. */
export function securitySchemes(config: Config): Record<string, SecurityScheme> {
  return {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token of this server (from `POST /oauth/token`, `POST /api/login` or a personal access token).',
    },
    sessionCookie: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: 'The session cookie set by the login page.',
    },
    apiCookie: {
      type: 'apiKey',
      in: 'cookie',
      name: config.apiCookieName,
      description: 'The short-lived API cookie set on the pages of a logged-in user; only together with the CSRF header.',
    },
    csrfHeader: {
      type: 'apiKey',
      in: 'header',
      name: CSRF_HEADER.toUpperCase(),
      description: 'The session’s CSRF token (or `X-XSRF-TOKEN` with the `XSRF-TOKEN` cookie’s value, or the `_token` form field).',
    },
    clientBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'OAuth client authentication: `client_id:client_secret` (RFC 6749 §2.3.1), or both in the body; public clients send only `client_id`.',
    },
    registrationToken: {
      type: 'http',
      scheme: 'bearer',
      description: 'Dynamic registration: an initial access token (`authgate registration-token:create`) for `POST /oauth/register`, or the registration access token of a client for `/oauth/register/{client_id}` (RFC 7592).',
    },
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The OpenAPI `security` of a route (alternatives; the entries of one alternative all apply). */
export function securityFor(access: Access, method: string): SecurityRequirement[] {
  const changes = !SAFE_METHODS.has(method.toUpperCase());
  const session: SecurityRequirement = changes ? { sessionCookie: [], csrfHeader: [] } : { sessionCookie: [] };
  const apiCookie: SecurityRequirement = { apiCookie: [], csrfHeader: [] };
  switch (access.kind) {
    case 'public':
      return [];
    case 'client':
      // `{}`: client authentication may also travel in the body (client_secret_post) or be absent (public clients).
      return [{ clientBasic: [] }, {}];
    case 'api':
      return [{ bearerAuth: access.scopes ?? [] }, apiCookie];
    case 'management':
      return [{ bearerAuth: ['*'] }, session, apiCookie];
    case 'session':
      return [session];
    case 'csrf':
      return [{ csrfHeader: [] }];
    case 'registration':
      return [{ registrationToken: [] }];
  }
}

/** The answers every route with this access can give before its handler runs. */
export function accessErrors(access: Access, method: string): Record<string, DocResponse> {
  const changes = !SAFE_METHODS.has(method.toUpperCase());
  switch (access.kind) {
    case 'api':
      return { 401: commonErrors.unauthenticated(), ...(access.scopes?.length ? { 403: commonErrors.invalidScopes() } : {}) };
    case 'management':
      return { 401: commonErrors.unauthenticated(), 403: commonErrors.invalidScopes(), ...(changes ? { 419: commonErrors.csrf() } : {}) };
    case 'session':
      return { 401: commonErrors.unauthenticated(), ...(changes ? { 419: commonErrors.csrf() } : {}) };
    case 'csrf':
      return { 419: commonErrors.csrf() };
    case 'client':
      return { 401: commonErrors.invalidClient() };
    case 'public':
    case 'registration':
      // The registration notes document their own 401 (OAuth's invalid_token).
      return {};
  }
}

/** Plain words for one security alternative, for the docs page. */
export function describeRequirement(requirement: SecurityRequirement, schemes: Record<string, SecurityScheme>): string {
  const names = Object.keys(requirement);
  if (names.length === 0) return 'credentials in the body';
  return names
    .map((name) => {
      const scopes = requirement[name] ?? [];
      const scheme = schemes[name];
      const label = LABELS[name] ?? (scheme?.type === 'apiKey' ? scheme.name : name);
      return scopes.length > 0 ? `${label} with ${scopes.map((scope) => `\`${scope}\``).join(', ')}` : label;
    })
    .join(' + ');
}

const LABELS: Record<string, string> = {
  bearerAuth: 'Bearer token',
  sessionCookie: 'session cookie',
  apiCookie: 'API cookie',
  csrfHeader: 'CSRF token',
  clientBasic: 'HTTP Basic client credentials',
  registrationToken: 'Registration bearer token',
};
