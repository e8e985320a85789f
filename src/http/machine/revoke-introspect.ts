import type { MachineRouteModule } from './machine-endpoints.js';
import { oauthBodySchema, tokenRequest } from './oauth-params.js';

const TokenBody = oauthBodySchema({
  token: 'An access token or a refresh token of this client',
  token_type_hint: 'access_token or refresh_token (optional)',
  client_id: 'The client id (or use HTTP Basic)',
  client_secret: 'The client secret (or use HTTP Basic)',
});

const schema = (summary: string) => ({ summary, tags: ['OAuth'], consumes: ['application/x-www-form-urlencoded', 'application/json'], body: TokenBody });

/** POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662). */
export const revokeIntrospectRoutes: MachineRouteModule = (machine, services) => {
  machine.post('/oauth/revoke', { schema: schema('Revoke a token (RFC 7009)') }, async (request, reply) => {
    await services.tokens.revoke(tokenRequest(request));
    // RFC 7009 §2.2: 200, whatever the token was; the body is ignored by clients.
    return reply.status(200).send();
  });

  machine.post('/oauth/introspect', { schema: schema('Introspect a token (RFC 7662)') }, async (request) =>
    services.tokens.introspect(tokenRequest(request)),
  );
};
