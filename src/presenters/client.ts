import type { Client } from '../oauth/ports.js';
import { jsonTime } from './json-time.js';

/**
 * A client as Passport 12 serialises it (`secret` is a hidden attribute): the secret never
 * leaves the server except once, at creation (presentNewClient).
 */
export function presentClient(client: Client) {
  return {
    id: client.id,
    user_id: client.userId,
    name: client.name,
    provider: client.provider,
    redirect: client.redirectUris.join(','),
    personal_access_client: client.personalAccessClient,
    password_client: client.passwordClient,
    revoked: client.revoked,
    created_at: jsonTime(client.createdAt),
    updated_at: jsonTime(client.updatedAt),
  };
}

/** The answer to `POST /oauth/clients`: the only time the plain secret is shown (null for a public client). */
export function presentNewClient(client: Client, plainSecret: string | null) {
  return { plainSecret, ...presentClient(client), secret: plainSecret };
}
