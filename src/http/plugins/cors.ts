import cors from '@fastify/cors';
import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyContextConfig, FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Config } from '../../config.js';

/**
 * CORS for browser-based OAuth clients (SPAs, MCP clients in a browser), configured once:
 *
 * - `any`: the endpoints a public client calls with no cookie — discovery, JWKS, token, revoke,
 *   introspect, device code, userinfo, dynamic registration and protected resource metadata —
 *   answer CORS_ORIGINS (`*` by default, or the listed origin that asked);
 * - `listed`: `/api/*` answers only origins CORS_ORIGINS lists by name (never for `*`), as
 *   Laravel's config/cors.php covers `api/*`;
 * - everything else (pages, /oauth/authorize, the management API, login, logout) sends no CORS
 *   header at all: those are the session's routes, for this origin's own pages.
 *
 * Never `Access-Control-Allow-Credentials`: a cross-origin caller sends a bearer token or client
 * credentials, never the user's cookies, so no other site can act with a logged-in session.
 */

type Reach = 'any' | 'listed' | 'none';

/** Public endpoints, by exact path. */
const PUBLIC_PATHS = new Set([
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/oauth/jwks',
  '/oauth/token',
  '/oauth/revoke',
  '/oauth/introspect',
  '/oauth/device/code',
  '/oauth/userinfo',
]);
/** Public endpoints with everything under them: RFC 9728 §3.1 inserts the resource's path. */
const PUBLIC_TREES = ['/.well-known/oauth-protected-resource'];
/** RFC 7591/7592's endpoints, which exist only when dynamic registration is on. */
const REGISTRATION_TREE = '/oauth/register';
const API_TREE = '/api/';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** MCP clients send MCP-Protocol-Version to the authorization server's metadata too. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'MCP-Protocol-Version'];
/** Browser clients must read challenges (RFC 6750 §3, RFC 9728 §5.1) and rate limits. */
const EXPOSED_HEADERS = ['WWW-Authenticate', 'Retry-After', 'X-Request-Id'];
/** Seconds a browser may reuse a preflight answer; short, so a changed CORS_ORIGINS takes effect soon. */
const MAX_AGE = 600;

/** Which CORS a path (or a route's URL pattern) gets. */
export function corsReach(path: string, options: { registration: boolean }): Reach {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const under = (tree: string) => trimmed === tree || trimmed.startsWith(`${tree}/`);
  if (PUBLIC_PATHS.has(trimmed) || PUBLIC_TREES.some(under)) return 'any';
  if (under(REGISTRATION_TREE)) return options.registration ? 'any' : 'none';
  return trimmed.startsWith(API_TREE) ? 'listed' : 'none';
}

/** A path's reach under this configuration: `listed` without a list (CORS_ORIGINS=*) is no CORS. */
function configuredReach(config: Pick<Config, 'corsOrigins' | 'dynamicRegistration'>): (path: string) => Reach {
  const registration = config.dynamicRegistration !== 'off';
  return (path) => {
    const found = corsReach(path, { registration });
    return found === 'listed' && config.corsOrigins === '*' ? 'none' : found;
  };
}

/**
 * The CORS headers the plugin below adds to an answer on `path` when the request has no
 * `Origin` (the fast lane sends them itself): none where CORS is off; otherwise `Vary: Origin`
 * (the answer depends on the origin), and with CORS_ORIGINS=* the headers any origin gets.
 */
export function corsHeadersWithoutOrigin(config: Pick<Config, 'corsOrigins' | 'dynamicRegistration'>, path: string): Record<string, string> {
  if (configuredReach(config)(path) === 'none') return {};
  if (config.corsOrigins !== '*') return { vary: 'Origin' };
  return { vary: 'Origin', 'access-control-allow-origin': '*', 'access-control-expose-headers': EXPOSED_HEADERS.join(', ') };
}

export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const options = (origin: string): FastifyCorsOptions => ({
    origin,
    methods: METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: MAX_AGE,
  });
  const none: FastifyCorsOptions = { origin: false };
  const anyOrigin = config.corsOrigins === '*' ? options('*') : undefined;
  // A listed origin is answered with itself; an origin not listed gets no CORS header at all.
  const listed = new Map(config.corsOrigins === '*' ? [] : config.corsOrigins.map((origin) => [origin, options(origin)]));
  const reach = configuredReach(config);
  const answer = (request: FastifyRequest): FastifyCorsOptions => {
    const found = reachOf(request, reach);
    if (found === 'none') return none;
    return anyOrigin ?? listed.get(request.headers.origin ?? '') ?? none;
  };

  // Routes that never answer another origin skip the CORS hook altogether (no `Vary: Origin` on pages).
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== '*' && reach(route.url) === 'none') {
      route.config = { ...route.config, cors: false } as FastifyContextConfig;
    }
  });
  await app.register(cors, {
    hideOptionsRoute: true,
    delegator: (request, callback) => callback(null, answer(request)),
  });
}

/**
 * A request's reach: by the route it matched; a preflight matches @fastify/cors's `OPTIONS *`
 * route, so it is placed by its path. An OPTIONS request that is not a preflight gets no CORS
 * and falls through to the 405 (with Allow) every other path answers.
 */
function reachOf(request: FastifyRequest, reach: (path: string) => Reach): Reach {
  const pattern = request.routeOptions.url;
  if (pattern === undefined) return 'none';
  if (pattern !== '*') return reach(pattern);
  const preflight = request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined;
  return preflight ? reach(request.url.split('?')[0] ?? '/') : 'none';
}
