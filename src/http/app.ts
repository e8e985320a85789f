import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyContextConfig, FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import type { Services } from '../services.js';
import { registerOpenApi } from './docs/openapi.js';
import { parseFormBody } from './form-body.js';
import { refuseNonStrings } from './json-strings.js';
import { registerCors } from './plugins/cors.js';
import { registerErrorHandling, sendFrameworkError } from './plugins/error-handler.js';
import { registerInputCharacterRule } from './plugins/input-characters.js';
import { registerSessions } from './plugins/session.js';
import { machineEndpoints } from './machine/machine-endpoints.js';
import { FastLane } from './fast-lane/fast-lane.js';
import { tokenLane } from './fast-lane/token-lane.js';
import { userLane } from './fast-lane/user-lane.js';
import { httpServerFactory, httpServerOptions } from './server-options.js';
import { hooksOf } from './route-hooks.js';
import { routeModules } from './routes/index.js';

export type App = FastifyInstance;

export interface BuildAppOptions {
  /** Pino logger options; tests pass false. */
  logger?: boolean | { level: string };
  /** Whether the hot routes take the fast lane (default true; the differential test turns it off to compare). */
  fastLane?: boolean;
}

/** Builds the whole HTTP application without listening, so tests can use inject(). */
export async function buildApp(services: Services, options: BuildAppOptions = {}): Promise<App> {
  const { config } = services;
  const errorHandling = { debug: config.appDebug, appName: config.appName, unavailable: (error: unknown) => services.health.unavailable(error) };
  const log = (): FastifyBaseLogger => app.log;
  const lane: FastLane | undefined = options.fastLane === false ? undefined : new FastLane([tokenLane(services, { log, errors: errorHandling }), userLane(services)]);
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    ...httpServerOptions(config),
    serverFactory: httpServerFactory(config, lane),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Two log lines per request would cost the token endpoint ~10%; errors are logged with their request id.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    // A malformed path must get the same JSON error and X-Request-Id as any other.
    frameworkErrors: sendFrameworkError,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('webIdentity', undefined);
  app.decorateRequest('identity', null);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });

  // A closing server answers everything through Fastify (draining requests get `Connection: close`).
  app.addHook('preClose', (done) => {
    lane?.close();
    done();
  });
  registerErrorHandling(app, errorHandling);
  services.health.onChange((change) => (change.up ? app.log.info(change.message) : app.log.error(change.message)));
  registerInputCharacterRule(app);
  // Before the session and every route: a preflight is answered before any cookie is read.
  await registerCors(app, config);
  await app.register(cookie, { secret: services.appKey });
  await app.register(formbody, { parser: parseFormBody });
  // Laravel reads an empty JSON body as no input: a POST with `Content-Type: application/json`
  // and nothing else must reach the CSRF and authentication checks (the reference's 419).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    return parseJson(request, String(body), (error, value) => (error ? done(error) : done(null, refuseNonStrings(request, value))));
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
        formAction: null,
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
    strictTransportSecurity: config.appUrl.startsWith('https:'),
  });
  await app.register(rateLimit, {
    global: false,
    ...(services.redis ? { redis: services.redis, nameSpace: `${config.redisPrefix}rate:` } : {}),
    errorResponseBuilder: (_request, context) => {
      const error = new Error('Too Many Attempts.') as Error & { statusCode: number };
      error.statusCode = context.statusCode;
      return error;
    },
  });

  // Before any route: @fastify/swagger documents the routes registered after it.
  await registerOpenApi(app, services);
  registerSessions(app, services);
  apiRoutesForPrograms(app);
  await app.register(machineEndpoints(services));
  for (const register of routeModules) await register(app, services);
  return app;
}

const nosniff: onRequestHookHandler = (_request, reply, done) => {
  reply.header('X-Content-Type-Options', 'nosniff');
  done();
};

/**
 * `/api/*` is Laravel's `api` group: JSON for programs, authenticated by a bearer token or the
 * API cookie, never by the session. So no session is opened and helmet's page headers (a CSP
 * means nothing to JSON) are not computed on every call; `nosniff` still keeps a browser from
 * reading a JSON answer as a page.
 */
function apiRoutesForPrograms(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/api/')) return;
    route.config = { ...route.config, stateless: true, helmet: { skipRoute: true } } as FastifyContextConfig;
    route.onRequest = [...hooksOf(route.onRequest), nosniff];
  });
}
