import type { AccessToken, Client } from '../oauth/ports.js';
import { presentClient } from './client.js';
import { jsonTime } from './json-time.js';

/** An access token row as Passport's Token model serialises it (never the JWT itself). */
export function presentToken(token: AccessToken) {
  return {
    id: token.id,
    user_id: token.userId,
    client_id: token.clientId,
    name: token.name,
    scopes: token.scopes,
    revoked: token.revoked,
    created_at: jsonTime(token.createdAt),
    updated_at: jsonTime(token.updatedAt),
    expires_at: jsonTime(token.expiresAt),
  };
}

/** A token with its client loaded (`$tokens->load('client')`); the client without its secret. */
export function presentTokenWithClient(token: AccessToken, client: Client) {
  return { ...presentToken(token), client: presentClient(client) };
}
