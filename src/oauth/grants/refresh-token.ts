import { OAuthError } from '../errors.js';
import type { AccessToken, Client, RefreshToken } from '../ports.js';
import type { Audience } from '../resource-indicators.js';
import { scopesFor, scopesWithin } from '../resource-indicators.js';
import { parseScopeParameter, scopesCover } from '../scopes.js';
import { sha256 } from '../random-tokens.js';
import { issueTokens } from './issue-tokens.js';
import type { Grant, GrantContext, TokenResponse } from './types.js';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the presented refresh token is consumed
 * atomically, its access token revoked, and a new pair issued in the same grant. A refresh
 * token presented after it was rotated revokes every token of its grant — unless it comes back
 * within REFRESH_TOKEN_REUSE_INTERVAL (clients that refresh in parallel): then it gets a fresh
 * pair in the same grant.
 */
export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  summary:
    'Rotates a refresh token: the old pair is revoked and a new pair issued; `scope` and `resource` may narrow, never widen; a rotated token presented again revokes the grant (after REFRESH_TOKEN_REUSE_INTERVAL).',
  parameters: {
    refresh_token: 'The refresh token to rotate',
  },
  allowsPublicClients: true,
  readsScope: true,
  responseFields: ['refresh_token'],
  async handle({ params, client, resources }, ctx) {
    if (params.refresh_token === undefined) throw OAuthError.invalidRequest('refresh_token');
    const id = sha256(params.refresh_token);
    const { stored, access } = await findRefreshToken(ctx, id, client);
    // Tokens issued before grant ids existed start their grant with the first rotation.
    const grantId = stored.grantId ?? stored.id;
    if (stored.revoked) return reused(ctx, { stored, access, client, grantId, resources, scope: params.scope });
    if (stored.expiresAt.getTime() <= ctx.now()) throw OAuthError.invalidRefreshToken('Token has expired');
    const renewal = await renewalOf(ctx, access, resources, params.scope);
    if (access.userId !== null && !(await ctx.users.findById(access.userId))) {
      throw OAuthError.invalidRefreshToken('Token is not linked to a user');
    }
    // Exactly one concurrent request wins the token; the others are reuses.
    const consumed = await ctx.refreshTokens.consume(id);
    if (consumed.status !== 'consumed') {
      return reused(ctx, { stored: consumed.status === 'reused' ? consumed.record : stored, access, client, grantId, resources, scope: params.scope });
    }
    await ctx.tokens.revokeAccessToken(access.id);
    return issuePair(ctx, { client, access, grantId, ...renewal });
  },
};

interface Renewal {
  scopes: string[];
  audience: Audience;
}

/**
 * What the new pair is for: RFC 6749 §6 and RFC 8707 §2.2 — `scope` and `resource` may narrow
 * what the refreshed token held, never add to it.
 */
async function renewalOf(ctx: GrantContext, access: AccessToken, resources: readonly string[], scope: string | undefined): Promise<Renewal> {
  const audience = await ctx.resources.narrow(resources, access.resources);
  return { audience, scopes: scopesWithin(ctx.scopes, narrowedScopes(ctx, scope, access.scopes, audience), audience) };
}

function issuePair(ctx: GrantContext, input: Renewal & { client: Client; access: AccessToken; grantId: string }): Promise<TokenResponse> {
  return issueTokens(ctx, {
    client: input.client,
    userId: input.access.userId,
    scopes: input.scopes,
    grantId: input.grantId,
    withRefreshToken: true,
    replayable: true,
    audience: input.audience,
  }).then(({ response }) => response);
}

async function findRefreshToken(ctx: GrantContext, id: string, client: Client): Promise<{ stored: RefreshToken; access: AccessToken }> {
  const stored = await ctx.refreshTokens.findById(id);
  const access = stored && (await ctx.accessTokens.findById(stored.accessTokenId));
  if (!stored || !access) throw OAuthError.invalidRefreshToken('Token is invalid');
  // Checked before anything changes: another client must not be able to burn this token.
  if (access.clientId !== client.id) throw OAuthError.invalidRefreshToken('Token is not linked to client');
  return { stored, access };
}

interface Reuse {
  stored: RefreshToken;
  access: AccessToken;
  client: Client;
  grantId: string;
  resources: readonly string[];
  scope: string | undefined;
}

/**
 * A refresh token presented after it was rotated. Within the reuse interval of its rotation,
 * and while its grant stands, it is a client refreshing in parallel: a fresh pair in the same
 * grant. Otherwise it may have been stolen: RFC 9700 §4.14.2, the whole grant is revoked.
 */
async function reused(ctx: GrantContext, reuse: Reuse): Promise<TokenResponse> {
  if (await withinReuseInterval(ctx, reuse.stored, reuse.grantId)) {
    const renewal = await renewalOf(ctx, reuse.access, reuse.resources, reuse.scope);
    return issuePair(ctx, { client: reuse.client, access: reuse.access, grantId: reuse.grantId, ...renewal });
  }
  await ctx.tokens.revokeGrant(reuse.grantId);
  throw OAuthError.invalidRefreshToken('Token has been revoked');
}

async function withinReuseInterval(ctx: GrantContext, stored: RefreshToken, grantId: string): Promise<boolean> {
  const interval = ctx.settings.refreshTokenReuseInterval ?? 0;
  if (interval <= 0 || stored.consumedAt === null) return false;
  if (ctx.now() - stored.consumedAt.getTime() > interval * 1000) return false;
  return !(await ctx.tokens.isGrantRevoked(grantId));
}

/** RFC 6749 §6: a narrower scope may be asked for, never one the original grant lacks. */
function narrowedScopes(ctx: GrantContext, parameter: string | undefined, original: string[], audience: Audience): string[] {
  const requested = parseScopeParameter(parameter);
  if (requested.length === 0) return original;
  const scopes = scopesFor(ctx.scopes, requested, audience, { allowWildcard: true });
  for (const scope of scopes) {
    if (!scopesCover(original, [scope])) throw OAuthError.invalidScope(scope);
  }
  return scopes;
}
