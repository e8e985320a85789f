import type { ClientAuthDeps } from './client-authentication.js';
import { authenticateClient } from './client-authentication.js';
import { OAuthError } from './errors.js';
import { findGrant } from './grants/index.js';
import type { GrantContext, OAuthParams, TokenResponse } from './grants/types.js';
import type { Client } from './ports.js';

/** A request to one of the client-authenticated endpoints (token, revoke, introspect, device code). */
export interface TokenRequest {
  /** The Authorization header, as sent. */
  authorization: string | undefined;
  params: OAuthParams;
  /** The caller's address (per-address throttles). */
  clientAddress?: string;
  /** RFC 8707 `resource` indicators; the one parameter that may be sent more than once. */
  resources?: readonly string[];
}

/**
 * The token endpoint (RFC 6749 §3.2) as a list of steps: find the grant, authenticate the
 * client, check the client may use the grant, let the grant answer.
 */
export async function exchangeToken(request: TokenRequest, ctx: GrantContext, clientAuth: ClientAuthDeps): Promise<TokenResponse> {
  const grant = findGrant(request.params.grant_type, ctx.settings);
  if (!grant) throw OAuthError.unsupportedGrantType();
  const { client } = await authenticateClient(request, clientAuth, { allowPublic: grant.allowsPublicClients });
  assertClientMayUse(client, grant.grantType);
  return grant.handle({ params: request.params, client, clientAddress: request.clientAddress ?? '', resources: request.resources ?? [] }, ctx);
}

/**
 * RFC 6749 §5.2 unauthorized_client. A client with an explicit grant list may use only those;
 * otherwise Passport's rules: personal access clients use no grant of this endpoint, the
 * password grant is for password clients, and first-party clients skip the code flow.
 */
export function assertClientMayUse(client: Client, grantType: string): void {
  if (client.personalAccessClient) {
    throw OAuthError.unauthorizedClient('Personal access clients cannot request tokens from this endpoint');
  }
  if (client.grantTypes !== null && !client.grantTypes.includes(grantType)) {
    throw OAuthError.unauthorizedClient(`The client may not use the \`${grantType}\` grant`);
  }
  if (grantType === 'password' && !client.passwordClient) {
    throw OAuthError.unauthorizedClient('The `password` grant is only for password grant clients');
  }
  if (grantType === 'authorization_code' && client.passwordClient && client.grantTypes === null) {
    throw OAuthError.unauthorizedClient('Password grant clients cannot use the `authorization_code` grant');
  }
}
