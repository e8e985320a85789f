import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { Grant, OAuthSettings } from './types.js';

export type { Grant, GrantContext, GrantRequest, OAuthParams, OAuthSettings, TokenResponse, TokenResponseField } from './types.js';

/**
 * The grants of the token endpoint, one line each. Never `personal_access`: Passport's
 * personal access tokens are issued by the application, not requested by clients.
 */
export const grants: readonly Grant[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant, deviceCodeGrant];

/** The grant for a grant_type, when it exists and is switched on. */
export function findGrant(grantType: string | undefined, settings: OAuthSettings): Grant | undefined {
  if (grantType === undefined) return undefined;
  const grant = grants.find((candidate) => candidate.grantType === grantType);
  return grant && isEnabled(grant, settings) ? grant : undefined;
}

/** The grants this deployment answers, in registry order. */
export function enabledGrants(settings: OAuthSettings): Grant[] {
  return grants.filter((grant) => isEnabled(grant, settings));
}

/** The grant types this deployment answers (discovery's grant_types_supported). */
export function enabledGrantTypes(settings: OAuthSettings): string[] {
  return enabledGrants(settings).map((grant) => grant.grantType);
}

function isEnabled(grant: Grant, settings: OAuthSettings): boolean {
  return grant.enabled?.(settings) ?? true;
}
