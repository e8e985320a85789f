import type { FastifyRequest, RouteShorthandOptions } from 'fastify';
import { Type } from 'typebox';
import { OAuthError } from '../../oauth/errors.js';
import type { OAuthContext, OAuthParams } from '../../oauth/grants/types.js';
import type { Services } from '../../services.js';

/** RFC 6749 §5.1: token responses (and anything carrying credentials) are never cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** The OAuth core's view of the services, built once per app. */
export function oauthContext(services: Services): OAuthContext {
  const { config, repositories } = services;
  return {
    settings: {
      issuer: config.appUrl,
      accessTokenTtl: config.accessTokenTtl,
      refreshTokenTtl: config.refreshTokenTtl,
      passwordGrant: config.passwordGrant,
    },
    appKey: services.appKey,
    clients: services.clients,
    clientStore: repositories.clients,
    scopes: services.scopes,
    tokens: services.tokens,
    accessTokens: repositories.accessTokens,
    refreshTokens: repositories.refreshTokens,
    authCodes: repositories.authCodes,
    deviceCodes: repositories.deviceCodes,
    users: services.users,
    keys: services.keys,
    now: Date.now,
  };
}

/** A body schema for the docs; the handler turns a mismatch into invalid_request. */
export function oauthBodySchema(fields: Record<string, string>) {
  const properties = Object.fromEntries(
    Object.entries(fields).map(([name, description]) => [name, Type.Optional(Type.String({ description }))]),
  );
  return Type.Object(properties, { additionalProperties: true });
}

/**
 * The request's parameters, from the body only (RFC 6749 §3.2: the token endpoint takes
 * POST bodies; a query string is ignored). RFC 6749 §3.1: parameters sent without a value
 * are omitted, and none may be sent twice. An empty JSON body (Passport's documentation sends
 * one) arrives as undefined: no parameters, so the grant check answers it.
 */
export function oauthParams(request: FastifyRequest): OAuthParams {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw OAuthError.invalidRequest('body', 'The request body must be a form or a JSON object');
  }
  const failure = request.validationError?.validation[0];
  if (failure) throw OAuthError.invalidRequest(failure.instancePath.replace(/^\//, '').split('/')[0] || 'body');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'number') params[name] = String(value);
    else if (typeof value === 'string') {
      if (value !== '') params[name] = value;
    } else if (value !== null) throw OAuthError.invalidRequest(name);
  }
  return params;
}

/** TOKEN_RATE_LIMIT requests a minute per address on each OAuth endpoint; 0 turns it off. */
export function tokenRateLimit(services: Services): RouteShorthandOptions['config'] {
  const max = services.config.tokenRateLimit;
  return max > 0 ? { rateLimit: { max, timeWindow: '1 minute' } } : {};
}

/** Route config of the client-authenticated endpoints: rate limited, and no session (SPEC §4). */
export function machineEndpointConfig(services: Services): RouteShorthandOptions['config'] {
  return { ...tokenRateLimit(services), stateless: true };
}
