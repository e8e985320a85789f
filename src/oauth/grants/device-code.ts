import { OAuthError } from '../errors.js';
import type { Client, DeviceCode, DeviceCodeRepository } from '../ports.js';
import { scopesWithin } from '../resource-indicators.js';
import { sha256 } from '../random-tokens.js';
import { issueUserTokens } from './issue-tokens.js';
import type { Grant, GrantContext, TokenResponse } from './types.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.2: the seconds a device waits between polls (5 is the RFC's default). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code until the user has answered.
 * The answers, in order: a code of another client is invalid_grant; an expired one
 * expired_token; a denied one access_denied; while pending, slow_down for a poll inside the
 * interval and authorization_pending otherwise; once approved, tokens — the code is consumed
 * atomically, and a code presented again revokes what it produced (as authorization codes).
 */
export const deviceCodeGrant: Grant = {
  grantType: DEVICE_CODE_GRANT,
  summary: 'A device polls with the device code from /oauth/device/code until its user has answered on /oauth/device (RFC 8628).',
  parameters: {
    device_code: 'The device code from /oauth/device/code',
  },
  allowsPublicClients: true,
  readsScope: false,
  responseFields: ['refresh_token', 'id_token'],
  async handle({ params, client, resources }, ctx) {
    const repository = ctx.deviceCodes;
    if (params.device_code === undefined) throw OAuthError.invalidRequest('device_code');
    const code = await repository.findById(sha256(params.device_code));
    if (!code) throw OAuthError.invalidGrant('Device code is invalid');
    if (code.clientId !== client.id) throw OAuthError.invalidGrant('Device code was not issued to this client');
    const now = ctx.now();
    if (code.expiresAt.getTime() <= now) throw OAuthError.expiredToken();
    if (code.userId !== null && code.userApprovedAt === null) throw accessDenied();
    if (code.revoked) return replayed(code, ctx);
    if (code.userId === null) return pending(code, repository, now);
    const result = await repository.consume(code.id);
    if (result.status !== 'consumed') return replayed(code, ctx);
    return respond(ctx, result.record, client, resources);
  },
};

/** RFC 8628 §3.5: access_denied at the token endpoint is a 400, as every error of RFC 6749 §5.2 but invalid_client. */
function accessDenied(): OAuthError {
  const denied = OAuthError.accessDenied();
  return new OAuthError(denied.code, denied.description, 400, denied.hint);
}

async function pending(code: DeviceCode, repository: DeviceCodeRepository, now: number): Promise<never> {
  // The poll is recorded only when it kept the interval, so a device hammering the endpoint
  // keeps getting slow_down until it waits a full interval.
  const keptInterval = await repository.recordPoll(code.id, new Date(now), DEVICE_POLL_INTERVAL_SECONDS);
  throw keptInterval ? OAuthError.authorizationPending() : OAuthError.slowDown();
}

async function replayed(code: DeviceCode, ctx: GrantContext): Promise<never> {
  // A used code seen again may have been stolen: the tokens it produced go too (RFC 9700 §4.5.3.1's rule for codes).
  if (code.userApprovedAt !== null) await ctx.tokens.revokeGrant(code.id);
  throw OAuthError.invalidGrant('Device code has been revoked');
}

async function respond(ctx: GrantContext, code: DeviceCode, client: Client, resources: readonly string[]): Promise<TokenResponse> {
  const user = code.userId === null ? undefined : await ctx.users.findById(code.userId);
  if (!user) throw OAuthError.invalidGrant('The user of this device code no longer exists');
  const audience = await ctx.resources.narrow(resources, code.resources);
  // As node-oidc-provider: `openid` on a device authorization yields an ID token too (OIDC Core §2).
  return issueUserTokens(ctx, {
    client,
    user,
    scopes: scopesWithin(ctx.scopes, code.scopes, audience),
    audience,
    grantId: code.id,
    nonce: null,
    authTime: null,
  });
}
