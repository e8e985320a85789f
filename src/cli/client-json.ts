import type { Client } from '../oauth/ports.js';
import { presentClient as presentApiClient } from '../presenters/client.js';

/** The API's client JSON (never a secret), plus what the CLI also shows about a client. */
export function presentClient(client: Client) {
  return {
    ...presentApiClient(client),
    confidential: client.secretHash !== null,
    first_party: client.skipsAuthorization,
    grant_types: client.grantTypes,
    /** `dynamic` (RFC 7591), `cimd` (a client ID metadata document), or null (API, dashboard, CLI, Passport). */
    origin: client.origin,
  };
}

/** A one-word description of what the client is for, for tables. */
export function clientKind(client: Client): string {
  if (client.personalAccessClient) return 'personal access';
  if (client.passwordClient) return 'password';
  if (client.grantTypes?.length === 1 && client.grantTypes[0] === 'client_credentials') return 'client credentials';
  return 'authorization code';
}
