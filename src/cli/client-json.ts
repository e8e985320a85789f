import type { Client } from '../oauth/ports.js';
import { jsonTime } from '../http/presenters/json-time.js';

/** A client as Passport serialises it (its `redirect` a comma-separated string), never its secret hash. */
export function presentClient(client: Client) {
  return {
    id: client.id,
    user_id: client.userId,
    name: client.name,
    provider: client.provider,
    redirect: client.redirectUris.join(','),
    personal_access_client: client.personalAccessClient,
    password_client: client.passwordClient,
    confidential: client.secretHash !== null,
    first_party: client.skipsAuthorization,
    grant_types: client.grantTypes,
    revoked: client.revoked,
    created_at: jsonTime(client.createdAt),
    updated_at: jsonTime(client.updatedAt),
  };
}

/** A one-word description of what the client is for, for tables. */
export function clientKind(client: Client): string {
  if (client.personalAccessClient) return 'personal access';
  if (client.passwordClient) return 'password';
  if (client.grantTypes?.length === 1 && client.grantTypes[0] === 'client_credentials') return 'client credentials';
  return 'authorization code';
}
