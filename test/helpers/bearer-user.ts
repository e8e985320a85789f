import type { Client } from '../../src/oauth/ports.js';
import type { IssuedAccessToken } from '../../src/oauth/token-service.js';
import type { Assembly } from '../../src/services.js';
import type { StoredUser } from '../../src/accounts/ports.js';
import { uniqueName } from './services.js';

export interface BearerUser {
  user: StoredUser;
  /** A personal access token of the user, carrying `scopes` (default `*`). */
  jwt: string;
  issued: IssuedAccessToken;
  /** `{ authorization: 'Bearer …', accept: 'application/json' }` for inject(). */
  headers: Record<string, string>;
}

/** A registered user with a bearer token: the management routes accept a user token carrying `*`. */
export async function bearerUser(h: Assembly, options: { scopes?: string[]; name?: string } = {}): Promise<BearerUser> {
  const user = await h.services.users.register({
    name: options.name ?? 'Test User',
    email: `${uniqueName('user')}@example.com`,
    password: 'password123',
  });
  const { client } = await h.services.personalAccess.ensureClient();
  const issued = await h.core.tokenService.issueAccessToken({
    clientId: client.id,
    userId: user.id,
    scopes: options.scopes ?? ['*'],
    ttlSeconds: 3600,
    name: 'test',
  });
  return { user, jwt: issued.jwt, issued, headers: { authorization: `Bearer ${issued.jwt}`, accept: 'application/json' } };
}

/** A third-party client (not personal, not password) owned by nobody unless `userId` is given. */
export async function thirdPartyClient(
  h: Assembly,
  options: { name?: string; userId?: number | null; passwordClient?: boolean } = {},
): Promise<Client> {
  return h.storage.repositories.clients.create({
    userId: options.userId ?? null,
    name: options.name ?? 'Third Party',
    secretHash: null,
    redirectUris: ['https://third.example/callback'],
    passwordClient: options.passwordClient ?? false,
  });
}

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, Laravel's JSON timestamp. */
export const JSON_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
