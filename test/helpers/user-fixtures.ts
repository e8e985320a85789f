import { expect } from 'vitest';
import type { StoredUser } from '../../src/accounts/ports.js';
import type { TestApp } from './app.js';

/** The databases an HTTP test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export { POSTGRES_URL } from './services.js';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A user as the API shows it (never a password hash), for exact comparisons. */
export function userJson(name: string, email: string) {
  return {
    id: expect.any(Number),
    name,
    email,
    email_verified_at: null,
    created_at: expect.stringMatching(TIME),
    updated_at: expect.stringMatching(TIME),
  };
}

/** A user stored directly; the email is derived from the name unless given. */
export function newUser(t: TestApp, name: string, email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`): Promise<StoredUser> {
  return t.services.users.register({ name, email, password: 'password123' });
}

/** A user's access token with exactly `scopes`. */
export async function userToken(t: TestApp, userId: number, scopes: string[]): Promise<string> {
  const client = await t.storage.repositories.clients.create({ userId: null, name: 'PAT', secretHash: null, redirectUris: [] });
  const { jwt } = await t.core.tokenService.issueAccessToken({ clientId: client.id, userId, scopes, ttlSeconds: 3600 });
  return jwt;
}

/** A client-credentials token (no user) with `scopes`. */
export async function machineToken(t: TestApp, scopes: string[]): Promise<string> {
  const client = await t.storage.repositories.clients.create({
    userId: null,
    name: 'Machine',
    secretHash: null,
    redirectUris: [],
    grantTypes: ['client_credentials'],
  });
  const { jwt } = await t.core.tokenService.issueAccessToken({ clientId: client.id, userId: null, scopes, ttlSeconds: 3600 });
  return jwt;
}

export const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });
