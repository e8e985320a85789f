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
  async handle({ params, client }, ctx) {
    // As Passport: `*` may be asked for by a machine client.
    const scopes = ctx.scopes.resolve(parseScopeParameter(params.scope), { allowWildcard: true });
    const { response } = await issueTokens(ctx, { client, userId: null, scopes, grantId: null, withRefreshToken: false });
    return response;
  },
};
