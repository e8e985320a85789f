import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCleanText } from '../../oauth/clean-text.js';
import { OAuthError } from '../../oauth/errors.js';
import { HttpError, ValidationError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How this route's input errors are answered: `oauth` as OAuth `invalid_request`; `own`
     * when the route checks its parameters itself (the authorization endpoint); by default as
     * Laravel's 422.
     */
    input?: 'oauth' | 'own';
  }
}

/** Passwords and secrets are only ever hashed or compared, never stored as given. */
const EXEMPT = new Set(['password', 'password_confirmation', 'client_secret']);

/** The first field of the path parameters, query or body holding forbidden characters, if any. */
export function forbiddenInput(request: FastifyRequest): { in: 'path' | 'query' | 'body'; field: string } | undefined {
  for (const [where, source] of [['path', request.params], ['query', request.query], ['body', request.body]] as const) {
    const field = findIn(source, '');
    if (field !== undefined) return { in: where, field };
  }
  return undefined;
}

/** The first field of a parsed body (or query) holding forbidden characters, if any. */
export function forbiddenFieldIn(fields: unknown): string | undefined {
  return findIn(fields, '');
}

function findIn(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isCleanText(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const field = findIn(value[index], path === '' ? String(index) : `${path}.${index}`);
      if (field !== undefined) return field;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [name, item] of Object.entries(value)) {
    if (path === '' && EXEMPT.has(name)) continue;
    if (!isCleanText(name)) return name;
    const field = findIn(item, path === '' ? name : `${path}.${name}`);
    if (field !== undefined) return field;
  }
  return undefined;
}

/**
 * The rule of ../../oauth/clean-text.ts for every string input (path, query, body), checked
 * once the route's guards ran (so an unauthenticated caller still gets its 401 or 419 first)
 * and before the handler reads anything: a path naming nothing is 404; otherwise Laravel's
 * wording for the 422 (`The name field format is invalid.`), or `invalid_request` on the
 * OAuth endpoints.
 */
export function registerInputCharacterRule(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const rule = request.routeOptions.config.input;
    const found = rule === 'own' ? undefined : forbiddenInput(request);
    if (found === undefined) return done();
    const { field } = found;
    if (found.in === 'path') return done(HttpError.notFound());
    if (rule === 'oauth') return done(OAuthError.invalidRequest(field.split('.')[0] ?? field));
    return done(ValidationError.single(field, `The ${field.replace(/_/g, ' ')} field format is invalid.`));
  });
}
