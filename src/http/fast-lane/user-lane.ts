import fastJson from 'fast-json-stringify';
import type { UserProfile } from '../../accounts/ports.js';
import type { AuthenticatedToken } from '../../oauth/token-service.js';
import { presentUser } from '../../presenters/user.js';
import type { Services } from '../../services.js';
import { corsHeadersWithoutOrigin } from '../plugins/cors.js';
import { bearerTokenIn, forOwnApi } from '../plugins/authentication.js';
import { UserJson } from '../schemas/users.js';
import type { LaneRoute } from './fast-lane.js';
import { JSON_TYPE, headerList, sendAnswer } from './fast-lane.js';

const USER_PATH = '/api/user';

/**
 * `GET /api/user` with a bearer token: the same check as the route's guard (the token through
 * the bearer use case, meant for this API, a user's token) and the same user JSON. Anything
 * else — no bearer, a token refused, the API cookie, a request with a body, a failure — goes
 * to Fastify, which answers it as always (the challenge, the 401, the 503); nothing was read
 * from the request, so nothing needs putting back.
 */
export function userLane(services: Services): LaneRoute {
  const serialize = fastJson(UserJson);
  // A user's JSON is written once per profile object: the bearer path hands back the same one while the user is unchanged.
  const written = new WeakMap<UserProfile, string>();
  const userJson = (user: UserProfile): string => {
    let json = written.get(user);
    if (json === undefined) {
      json = serialize(presentUser(user));
      written.set(user, json);
    }
    return json;
  };
  const appUrl = services.config.appUrl;
  // What every `/api/*` answer carries (see apiRoutesForPrograms in ../app.ts), and its CORS headers.
  const answerHeaders = headerList({ 'content-type': JSON_TYPE, 'x-content-type-options': 'nosniff', ...corsHeadersWithoutOrigin(services.config, USER_PATH) });
  return {
    method: 'GET',
    path: USER_PATH,
    take(request, response, fastify) {
      const { headers } = request;
      if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
      const jwt = bearerTokenIn(headers.authorization);
      if (jwt === undefined) return false;
      const answer = (token: AuthenticatedToken | undefined): void => {
        if (!token?.user || !forOwnApi(token, appUrl)) return fastify(request, response);
        sendAnswer(response, 200, answerHeaders, userJson(token.user));
      };
      let outcome: ReturnType<Services['tokens']['authenticateOrDefer']>;
      try {
        outcome = services.tokens.authenticateOrDefer(jwt);
      } catch {
        fastify(request, response);
        return true;
      }
      if (outcome instanceof Promise) outcome.then(answer, () => fastify(request, response));
      else answer(outcome);
      return true;
    },
  };
}
