import type { FastifyContextConfig, FastifyInstance, FastifyPluginAsync, RouteOptions, onRequestHookHandler } from 'fastify';
import type { Config } from '../../config.js';
import { OAuthError } from '../../oauth/errors.js';
import type { Services } from '../../services.js';
import { NO_STORE } from '../no-store.js';
import { OAUTH_SERVER_ERROR } from '../plugins/error-handler.js';
import { hooksOf } from '../route-hooks.js';
import { deviceCodeRoutes } from './device-code.js';
import { dynamicRegistrationRoutes } from './register.js';
import { revokeIntrospectRoutes } from './revoke-introspect.js';
import { oauthTokenRoutes } from './token.js';

/** A family of machine endpoints registers its routes on the encapsulated instance. */
export type MachineRouteModule = (machine: FastifyInstance, services: Services) => void;

/** Requests a minute per endpoint and address (0: off). */
type RateLimitOf = (config: Config) => number;
const TOKEN_RATE_LIMIT: RateLimitOf = (config) => config.tokenRateLimit;

/**
 * The OAuth endpoints for machines, and the rate limit each family's routes get (every route
 * counts on its own); adding one is a file here and one line.
 */
const machineRoutes: { routes: MachineRouteModule; rateLimit: RateLimitOf }[] = [
  { routes: oauthTokenRoutes, rateLimit: TOKEN_RATE_LIMIT },
  { routes: revokeIntrospectRoutes, rateLimit: TOKEN_RATE_LIMIT },
  { routes: deviceCodeRoutes, rateLimit: TOKEN_RATE_LIMIT },
  // RFC 7591/7592: registration is rarer than token requests, and each one writes a client.
  { routes: dynamicRegistrationRoutes, rateLimit: (config) => config.dynamicRegistrationRateLimit },
];

/**
 * The machine endpoints (token, revoke, introspect, device code, dynamic registration): called
 * by OAuth clients, not browsers. One encapsulated plugin gives them what they share and nothing
 * they don't: no session, no CSRF, no browser security headers, `no-store` on every answer, a
 * rate limit per endpoint and address (TOKEN_RATE_LIMIT, or the family's own), and OAuth errors
 * in league's shape — a body that does not fit the schema is an OAuth `invalid_request`, never a
 * Laravel 422.
 */
export function machineEndpoints(services: Services): FastifyPluginAsync {
  return async (machine) => {
    machine.addHook('onRoute', (route: RouteOptions) => {
      // Read at request time by the session layer and by @fastify/helmet (`skipRoute` is its per-route off switch).
      // A family that checks its input itself (registration: RFC 7591's own error codes) says so with `input: 'own'`.
      route.config = { ...route.config, stateless: true, input: route.config?.input ?? 'oauth', helmet: { skipRoute: true } } as FastifyContextConfig;
      route.attachValidation = true;
    });
    machine.addHook('onSend', (_request, reply, payload, done) => {
      reply.headers(NO_STORE);
      done(null, payload);
    });
    machine.setErrorHandler((error, request, reply) => {
      if (!(error instanceof OAuthError)) throw error;
      if (error.status >= 500) request.log.error({ err: error, reqId: request.id }, OAUTH_SERVER_ERROR);
      return reply.status(error.status).headers(error.headers).send(error.toJSON());
    });
    for (const family of machineRoutes) {
      // Each family in a context of its own, so its limit applies to its routes alone.
      await machine.register(async (scope) => {
        const max = family.rateLimit(services.config);
        if (max > 0) scope.addHook('onRoute', (route: RouteOptions) => {
          route.onRequest = [...hooksOf(route.onRequest), rateLimitFor(scope, route, max)];
        });
        family.routes(scope, services);
      });
    }
  };
}

/** One count per endpoint and address, as if each route had its own limiter (shared across nodes with Redis). */
function rateLimitFor(machine: FastifyInstance, route: RouteOptions, max: number): onRequestHookHandler {
  const endpoint = `${String(route.method)} ${route.url}`;
  return machine.rateLimit({ max, timeWindow: '1 minute', keyGenerator: (request) => `${endpoint}|${request.ip}` });
}
