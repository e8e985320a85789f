import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ThrottleDecision } from '../../accounts/login-throttle.js';
import { WILDCARD_SCOPE } from '../../oauth/scopes.js';
import type { Services } from '../../services.js';
import { HttpError, ValidationError } from '../errors.js';
import { NO_STORE } from '../no-store.js';
import { presentUser } from '../../presenters/user.js';
import { LoginBody, LoginResponse, laravelErrorOrder, normaliseInput } from '../schemas/users.js';

const LOGIN_FIELDS = ['email', 'password', 'device_name', 'scopes'] as const;
const DEFAULT_TOKEN_NAME = 'login';
const BAD_CREDENTIALS = 'These credentials do not match our records.';
const INVALID_SCOPES = 'The selected scopes is invalid.';

/**
 * `POST /api/login`: email and password for a personal access token (Passport's
 * `$user->createToken($name, $scopes)`), throttled per email and client address.
 */
export async function loginRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/api/login', {
    schema: { summary: 'Log in for a personal access token', tags: ['users'], body: LoginBody, response: { 200: LoginResponse } },
    schemaErrorFormatter: laravelErrorOrder(LOGIN_FIELDS),
    preValidation: async (request) => {
      // Not yet validated: the schema checks this shape next.
      request.body = splitScopes(normaliseInput(request.body)) as LoginBody;
    },
    handler: async (request, reply) => {
      const { email, password } = request.body;
      const scopes = request.body.scopes ?? [WILDCARD_SCOPE];
      // `*` is allowed here, as for Passport's createToken (`*` may be asked for by the password, client credentials and login flows).
      if (!scopes.every((scope) => scope === WILDCARD_SCOPE || services.scopes.has(scope))) {
        throw ValidationError.single('scopes', INVALID_SCOPES);
      }
      // Shared with the login form and the password grant: failures on any count against all.
      const login = await services.users.login(email, password, request.ip);
      if (login.status === 'throttled') throw tooManyAttempts(login.throttle);
      if (login.status === 'invalid') {
        if (login.throttle.limit > 0) reply.headers(rateLimitHeaders(login.throttle));
        throw ValidationError.single('email', BAD_CREDENTIALS);
      }
      const { user } = login;
      const issued = await services.personalAccess.issue({ userId: user.id, name: request.body.device_name ?? DEFAULT_TOKEN_NAME, scopes });
      return reply.headers(NO_STORE).send({
        token_type: 'Bearer' as const,
        access_token: issued.jwt,
        expires_in: issued.expiresIn,
        user: presentUser(user),
      });
    },
  });
}

/** `scopes` may come as one space-delimited string (RFC 6749 §3.3 style) rather than an array. */
function splitScopes(body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.scopes === 'string') body.scopes = body.scopes.split(/\s+/).filter(Boolean);
  return body;
}

function rateLimitHeaders(decision: ThrottleDecision): Record<string, string> {
  return { 'X-RateLimit-Limit': String(decision.limit), 'X-RateLimit-Remaining': String(decision.remaining) };
}

function tooManyAttempts(decision: ThrottleDecision): HttpError {
  return new HttpError(429, 'Too Many Attempts.', {
    ...rateLimitHeaders(decision),
    'X-RateLimit-Reset': String(decision.retryAfter),
    'Retry-After': String(decision.retryAfter),
  });
}
