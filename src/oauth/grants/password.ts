import { randomUUID } from 'node:crypto';
import { OAuthError, TooManyAttemptsError } from '../errors.js';
import { scopesFor } from '../resource-indicators.js';
import { parseScopeParameter } from '../scopes.js';
import { issueTokens } from './issue-tokens.js';
import type { Grant } from './types.js';

/**
 * RFC 6749 §4.3, for password clients only and only when OAUTH_PASSWORD_GRANT is on
 * (RFC 9700 §2.4 says it MUST NOT be used otherwise). `username` is the user's email.
 */
export const passwordGrant: Grant = {
  grantType: 'password',
  summary: 'A password client exchanges a user’s email and password (only with OAUTH_PASSWORD_GRANT=true; throttled as the login form).',
  parameters: {
    username: 'The user’s email',
    password: 'The user’s password',
  },
  readsScope: true,
  responseFields: ['refresh_token'],
  // RFC 6749 §4.3.2: only a confidential client must authenticate; Passport's
  // `passport:client --password --public` clients send their client_id alone.
  allowsPublicClients: true,
  enabled: (settings) => settings.passwordGrant,
  async handle({ params, client, clientAddress, resources }, ctx) {
    const { username, password } = params;
    if (username === undefined) throw OAuthError.invalidRequest('username');
    if (password === undefined) throw OAuthError.invalidRequest('password');
    const audience = await ctx.resources.resolve(resources);
    const scopes = scopesFor(ctx.scopes, parseScopeParameter(params.scope), audience, { allowWildcard: true });
    const check = await ctx.users.checkCredentials(username, password, clientAddress);
    if (check.status === 'throttled') throw new TooManyAttemptsError(check.retryAfter);
    if (check.status === 'invalid') throw OAuthError.invalidCredentials();
    const { user } = check;
    // Each login starts a grant of its own, so replay defence revokes only its descendants.
    const { response } = await issueTokens(ctx, { client, userId: user.id, scopes, grantId: randomUUID(), withRefreshToken: true, audience });
    return response;
  },
};
