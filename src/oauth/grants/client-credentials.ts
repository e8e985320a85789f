import { scopesFor } from '../resource-indicators.js';
import { parseScopeParameter } from '../scopes.js';
import { issueTokens } from './issue-tokens.js';
import type { Grant } from './types.js';

/**
 * RFC 6749 §4.4: a confidential client asks for a token for itself. The hot path of the token
 * endpoint: the client was found in the cache and its secret checked by HMAC; what is left
 * is a scope check, one signature and one insert. No refresh token (§4.4.3).
 */
export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  summary: 'A confidential client asks for a token for itself (no user, no refresh token).',
  parameters: {},
  allowsPublicClients: false,
  readsScope: true,
  responseFields: [],
  async handle({ params, client, resources }, ctx) {
    const audience = await ctx.resources.resolve(resources);
    // As Passport: `*` may be asked for by a machine client (for no resource in particular).
    const scopes = scopesFor(ctx.scopes, parseScopeParameter(params.scope), audience, { allowWildcard: true });
    const { response } = await issueTokens(ctx, { client, userId: null, scopes, grantId: null, withRefreshToken: false, audience });
    return response;
  },
};
