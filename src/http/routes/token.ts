import { Type } from 'typebox';
import { exchangeToken } from '../../oauth/token-endpoint.js';
import type { RouteModule } from './index.js';
import { NO_STORE, machineEndpointConfig, oauthBodySchema, oauthContext, oauthParams } from './oauth-request.js';

const TokenRequestBody = oauthBodySchema({
  grant_type: 'authorization_code, refresh_token, client_credentials or password',
  client_id: 'The client id (or use HTTP Basic)',
  client_secret: 'The client secret (or use HTTP Basic); public clients send none',
  code: 'authorization_code: the code from the redirect',
  redirect_uri: 'authorization_code: the redirect_uri sent to /oauth/authorize, when one was sent',
  code_verifier: 'authorization_code: the PKCE verifier (RFC 7636)',
  refresh_token: 'refresh_token: the refresh token to rotate',
  username: 'password: the user’s email',
  password: 'password: the user’s password',
  scope: 'Space-separated scopes',
});

const TokenResponseBody = Type.Object({
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  access_token: Type.String(),
  refresh_token: Type.Optional(Type.String()),
  id_token: Type.Optional(Type.String()),
});

/** POST /oauth/token (RFC 6749 §3.2): thin; the steps live in the OAuth core. */
export const oauthTokenRoutes: RouteModule = (app, services) => {
  const ctx = oauthContext(services);
  app.post(
    '/oauth/token',
    {
      schema: {
        summary: 'Issue an access token',
        tags: ['OAuth'],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequestBody,
        response: { 200: TokenResponseBody },
      },
      // A body that does not fit is an OAuth invalid_request, not a Laravel 422.
      attachValidation: true,
      config: machineEndpointConfig(services),
      // Browser-facing headers (CSP and friends) mean nothing to a token response, and helmet
      // rebuilds its middleware on every request: the hottest route skips it.
      helmet: false,
    },
    async (request, reply) => {
      const params = oauthParams(request);
      const result = await exchangeToken({ authorization: request.headers.authorization, params }, ctx);
      return reply.headers(NO_STORE).send(result);
    },
  );
};
