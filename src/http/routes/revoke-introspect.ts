import { introspectToken } from '../../oauth/token-introspection.js';
import { revokeToken } from '../../oauth/token-revocation.js';
import type { RouteModule } from './index.js';
import { NO_STORE, machineEndpointConfig, oauthBodySchema, oauthContext, oauthParams } from './oauth-request.js';

const TokenBody = oauthBodySchema({
  token: 'An access token or a refresh token of this client',
  token_type_hint: 'access_token or refresh_token (optional)',
  client_id: 'The client id (or use HTTP Basic)',
  client_secret: 'The client secret (or use HTTP Basic)',
});

/** POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662). */
export const revokeIntrospectRoutes: RouteModule = (app, services) => {
  const ctx = oauthContext(services);
  const options = (summary: string) => ({
    schema: { summary, tags: ['OAuth'], consumes: ['application/x-www-form-urlencoded', 'application/json'], body: TokenBody },
    // A body that does not fit is an OAuth invalid_request, not a Laravel 422.
    attachValidation: true,
    config: machineEndpointConfig(services),
  });

  app.post('/oauth/revoke', options('Revoke a token (RFC 7009)'), async (request, reply) => {
    await revokeToken({ authorization: request.headers.authorization, params: oauthParams(request) }, ctx);
    // RFC 7009 §2.2: 200, whatever the token was; the body is ignored by clients.
    return reply.status(200).headers(NO_STORE).send();
  });

  app.post('/oauth/introspect', options('Introspect a token (RFC 7662)'), async (request, reply) => {
    const result = await introspectToken({ authorization: request.headers.authorization, params: oauthParams(request) }, ctx);
    return reply.headers(NO_STORE).send(result);
  });
};
