import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { profileClaims } from '../../oauth/id-token.js';
import { scopesCover } from '../../oauth/scopes.js';
import type { Services } from '../../services.js';
import { HttpError } from '../errors.js';
import { bearerTokenOf, forOwnApi } from '../plugins/authentication.js';
import type { RouteModule } from './index.js';
import { NO_STORE } from '../no-store.js';

const UserInfoBody = Type.Object(
  {
    sub: Type.String(),
    name: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.Integer()),
    email: Type.Optional(Type.String()),
    email_verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** RFC 6750 §3.1: the challenge tells the client why, in the Bearer scheme. */
function invalidToken(): HttpError {
  return new HttpError(401, 'Unauthenticated.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
}

function insufficientScope(): HttpError {
  return new HttpError(403, 'Invalid scope(s) provided.', { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' });
}

/**
 * The access token: the Authorization header, or (POST only) the form body's `access_token`
 * (RFC 6750 §2.1–2.2). More than one way at once is refused (RFC 6750 §2).
 */
function presentedToken(request: FastifyRequest): string | undefined {
  const body = request.body;
  const field = request.method === 'POST' && typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access_token : undefined;
  const fromHeader = bearerTokenOf(request);
  if (field !== undefined && (fromHeader !== undefined || typeof field !== 'string')) throw invalidToken();
  return fromHeader ?? (typeof field === 'string' && field !== '' ? field : undefined);
}

/**
 * OIDC Core §5.3: the claims about the user of an access token issued with `openid`; `profile`
 * releases name and updated_at, `email` the address and whether it was verified (§5.4).
 */
async function userInfo(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const jwt = presentedToken(request);
  const token = jwt === undefined ? undefined : await services.tokens.authenticate(jwt);
  // A client-credentials token has no end user to describe; a token for another resource server is not for us.
  if (!token || token.userId === null || !forOwnApi(token, services.config.appUrl)) throw invalidToken();
  const user = await services.users.find(token.userId);
  if (!user) throw invalidToken();
  if (!scopesCover(token.scopes, ['openid'])) throw insufficientScope();
  const granted = ['profile', 'email'].filter((scope) => scopesCover(token.scopes, [scope]));
  const { name, email, email_verified } = profileClaims(user, granted);
  return reply.headers(NO_STORE).send({
    sub: String(user.id),
    ...(name !== undefined ? { name, updated_at: Math.floor(user.updatedAt.getTime() / 1000) } : {}),
    ...(email !== undefined ? { email, email_verified } : {}),
  });
}

/** GET and POST /oauth/userinfo (OIDC Core §5.3.1: both methods). */
export const userInfoRoutes: RouteModule = (app, services) => {
  const schema = (summary: string) => ({
    summary,
    tags: ['OAuth'],
    response: { 200: UserInfoBody },
  });
  app.get('/oauth/userinfo', { schema: schema('Claims about the user of an OpenID Connect access token') }, (request, reply) => userInfo(services, request, reply));
  app.post('/oauth/userinfo', { schema: schema('Claims about the user of an OpenID Connect access token (POST)') }, (request, reply) => userInfo(services, request, reply));
};
