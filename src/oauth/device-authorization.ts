import { randomInt } from 'node:crypto';
import type { ClientAuthDeps } from './client-authentication.js';
import { authenticateClient } from './client-authentication.js';
import type { ClientDirectory } from './client-directory.js';
import { OAuthError } from './errors.js';
import { DEVICE_CODE_GRANT, DEVICE_POLL_INTERVAL_SECONDS } from './grants/device-code.js';
import type { GrantContext, OAuthParams } from './grants/types.js';
import type { Client, DeviceCode, DeviceCodeRepository, NewDeviceCode } from './ports.js';
import { scopesFor } from './resource-indicators.js';
import { parseScopeParameter } from './scopes.js';
import { assertClientMayUse } from './token-endpoint.js';
import { opaqueToken, sha256 } from './random-tokens.js';

/** RFC 8628 §3.2 `expires_in`: ten minutes to find a browser and answer. */
export const DEVICE_CODE_TTL_SECONDS = 600;

/**
 * RFC 8628 §6.1: consonants only (no vowels to spell words, none of 0/O, 1/I to confuse), eight
 * of them: 20^8 ≈ 2^34.6 codes, against at most TOKEN_RATE_LIMIT guesses a minute per address.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;
const USER_CODE_PATTERN = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`);
const MAX_DRAWS = 10;

/** What the device flow reads and writes. */
export type DeviceFlowDeps = Pick<GrantContext, 'deviceCodes' | 'scopes' | 'resources' | 'now'> & { clients: ClientDirectory };

export interface DeviceAuthorizationRequest {
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  params: OAuthParams;
  /** RFC 8707 `resource` indicators (RFC 8628 does not forbid them; the token is bound to them). */
  resources?: readonly string[];
}

/** RFC 8628 §3.2, the device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export function generateUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i += 1) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** `BCDFGHJK` → `BCDF-GHJK`: easier to read off a screen and type. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * RFC 8628 §6.1: what the user typed, compared case-insensitively and without the dash (or
 * spaces); undefined when it cannot be a user code.
 */
export function normalizeUserCode(input: string | undefined): string | undefined {
  const code = (input ?? '').toUpperCase().replace(/[\s-]/g, '');
  return USER_CODE_PATTERN.test(code) ? code : undefined;
}

/**
 * The device authorization endpoint (RFC 8628 §3.1–3.2): authenticate the client as the token
 * endpoint does (public clients by client_id), check it may use the device grant, validate the
 * scope (never `*`: the user is asked), store the device code's hash and a fresh user code.
 */
export async function requestDeviceAuthorization(
  request: DeviceAuthorizationRequest,
  ctx: DeviceFlowDeps,
  clientAuth: ClientAuthDeps,
  verificationUri: string,
): Promise<DeviceAuthorizationResponse> {
  const repository = ctx.deviceCodes;
  const { client } = await authenticateClient(request, clientAuth, { allowPublic: true });
  assertClientMayUse(client, DEVICE_CODE_GRANT);
  const audience = await ctx.resources.resolve(request.resources ?? []);
  const scopes = scopesFor(ctx.scopes, parseScopeParameter(request.params.scope), audience, { allowWildcard: false });
  const deviceCode = opaqueToken(32);
  const userCode = await storeDeviceCode(repository, {
    id: sha256(deviceCode),
    clientId: client.id,
    scopes,
    resources: audience.uris.length > 0 ? audience.uris : null,
    expiresAt: new Date(ctx.now() + DEVICE_CODE_TTL_SECONDS * 1000),
  });
  const shown = formatUserCode(userCode);
  const complete = new URL(verificationUri);
  complete.searchParams.set('user_code', shown);
  return {
    device_code: deviceCode,
    user_code: shown,
    verification_uri: verificationUri,
    verification_uri_complete: complete.href,
    expires_in: DEVICE_CODE_TTL_SECONDS,
    interval: DEVICE_POLL_INTERVAL_SECONDS,
  };
}

/** Inserts the code, drawing another user code when the drawn one is taken (unique column). */
async function storeDeviceCode(repository: DeviceCodeRepository, code: Omit<NewDeviceCode, 'userCode'>): Promise<string> {
  for (let draw = 0; draw < MAX_DRAWS; draw += 1) {
    const userCode = generateUserCode();
    if (await repository.create({ ...code, userCode })) return userCode;
  }
  throw OAuthError.serverError();
}

/** A device authorization the user may still answer, with its client. */
export interface PendingDeviceAuthorization {
  code: DeviceCode;
  client: Client;
}

/** The pending, unexpired authorization for what the user typed, if any (the client must still be live). */
export async function findPendingDeviceAuthorization(
  input: string | undefined,
  ctx: DeviceFlowDeps,
): Promise<PendingDeviceAuthorization | undefined> {
  const userCode = normalizeUserCode(input);
  if (userCode === undefined) return undefined;
  const code = await ctx.deviceCodes.findByUserCode(userCode);
  if (!code || code.revoked || code.userId !== null || code.expiresAt.getTime() <= ctx.now()) return undefined;
  const client = await ctx.clients.find(code.clientId);
  return client && !client.revoked ? { code, client } : undefined;
}

/**
 * Records the user's answer (RFC 8628 §3.3). False when the code was answered, used or
 * expired in the meantime: only the first answer counts.
 */
export async function answerDeviceAuthorization(
  pendingCode: DeviceCode,
  answer: { userId: number; approved: boolean },
  ctx: DeviceFlowDeps,
): Promise<boolean> {
  return ctx.deviceCodes.complete(pendingCode.id, { ...answer, at: new Date(ctx.now()) });
}
