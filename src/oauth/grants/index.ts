import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { Grant, OAuthContext } from './types.js';

export type { Grant, GrantRequest, OAuthContext, OAuthParams, TokenResponse } from './types.js';

/**
 * The grants of the token endpoint, one line each. Never `personal_access`: Passport's
 * personal access tokens are issued by the application, not requested by clients.
 */
export const grants: Grant[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant, deviceCodeGrant];

/** The grant for a grant_type, when it exists and is switched on. */
export function findGrant(grantType: string | undefined, settings: OAuthContext['settings']): Grant | undefined {
  if (grantType === undefined) return undefined;
  const grant = grants.find((candidate) => candidate.grantType === grantType);
  return grant && (grant.enabled?.(settings) ?? true) ? grant : undefined;
}

/** The grant types this deployment answers (discovery's grant_types_supported). */
export function enabledGrantTypes(settings: OAuthContext['settings']): string[] {
  return grants.filter((grant) => grant.enabled?.(settings) ?? true).map((grant) => grant.grantType);
}
