import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import type { Grant } from '../../oauth/grants/index.js';
import type { MachineRouteModule } from './machine-endpoints.js';
import { oauthBodySchema, tokenRequest } from './oauth-params.js';

/** Parameters every grant shares: which grant, the client's credentials (or HTTP Basic), the scope. */
const COMMON_PARAMETERS = {
  client_id: 'The client id (or use HTTP Basic)',
  client_secret: 'The client secret (or use HTTP Basic); public clients send none',
} as const;

/**
 * The token request body, derived from the grant registry: `grant_type` lists the enabled
 * grants, and each grant's own parameters are described with the grant that reads them.
 */
export function tokenRequestBody(grants: readonly Grant[]) {
  const fields: Record<string, string> = {
    grant_type: grants.map((grant) => `\`${grant.grantType}\``).join(', '),
    ...COMMON_PARAMETERS,
  };
  for (const grant of grants) {
    for (const [name, description] of Object.entries(grant.parameters)) {
      fields[name] = fields[name] ? `${fields[name]}; ${grant.grantType}: ${description}` : `${grant.grantType}: ${description}`;
    }
  }
  const scoped = grants.filter((grant) => grant.readsScope).map((grant) => grant.grantType);
  if (scoped.length > 0) fields.scope = `Space-separated scopes (${scoped.join(', ')})`;
  return oauthBodySchema(fields);
}

/** The token response (RFC 6749 §5.1): the base fields, plus what any enabled grant adds. */
export function tokenResponseBody(grants: readonly Grant[]) {
  const added = new Set(grants.flatMap((grant) => grant.responseFields));
  const optional: Record<string, TSchema> = {};
  for (const field of added) optional[field] = Type.Optional(Type.String());
  return Type.Object({
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    access_token: Type.String(),
    ...optional,
  });
}

/** POST /oauth/token (RFC 6749 §3.2): thin; the steps live in the OAuth core. */
export const oauthTokenRoutes: MachineRouteModule = (machine, services) => {
  const { grants } = services.tokens;
  machine.post(
    '/oauth/token',
    {
      schema: {
        summary: 'Issue an access token',
        tags: ['OAuth'],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: tokenRequestBody(grants),
        response: { 200: tokenResponseBody(grants) },
      },
    },
    async (request) => services.tokens.exchange(tokenRequest(request)),
  );
};

