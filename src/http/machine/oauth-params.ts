import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { OAuthError } from '../../oauth/errors.js';
import type { OAuthParams } from '../../oauth/grants/types.js';

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
export function oauthParams(request: FastifyRequest): { params: OAuthParams; resources: string[] } {
  return oauthParamsOf(request.body, request.validationError?.validation[0]);
}

/** The same from a parsed body and the schema's first complaint about it, if any. */
export function oauthParamsOf(body: unknown, failure?: { instancePath: string }): { params: OAuthParams; resources: string[] } {
  if (body === undefined || body === null) return { params: {}, resources: [] };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw OAuthError.invalidRequest('body', 'The request body must be a form or a JSON object');
  }
  if (failure) throw OAuthError.invalidRequest(failure.instancePath.replace(/^\//, '').split('/')[0] || 'body');
  const params: Record<string, string> = {};
  let resources: string[] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === RESOURCE) resources = resourceIndicators(value);
    else if (typeof value === 'number') params[name] = String(value);
    else if (typeof value === 'string') {
      if (value !== '') params[name] = value;
    } else if (value !== null) throw OAuthError.invalidRequest(name);
  }
  return { params, resources };
}

/** RFC 8707 §2: `resource` may be sent several times (a form's repeated key, or a JSON array). */
const RESOURCE = 'resource';

function resourceIndicators(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string')) throw OAuthError.invalidRequest(RESOURCE);
  return values.filter((item) => item !== '');
}

/** What every client-authenticated endpoint hands the core: the Basic header, the body's parameters and the caller's address. */
export function tokenRequest(request: FastifyRequest) {
  const { params, resources } = oauthParams(request);
  return { authorization: request.headers.authorization, params, resources, clientAddress: request.ip };
}
