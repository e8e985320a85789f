import type { ClientDirectory } from '../client-directory.js';
import type { GrantContext } from '../grants/types.js';
import type { AccessToken, Client, ClientRepository } from '../ports.js';
import type { TokenWithClient } from './tokens.js';
import { liveTokensWithClients, revokeUserToken } from './tokens.js';

export interface IssuePersonalAccessToken {
  userId: number;
  /** The token's name (the device name of POST /api/login). */
  name: string;
  /** Already validated against the declared scopes by the caller's rules (`*` allowed only where the route allows it). */
  scopes: string[];
}

export interface IssuedPersonalAccessToken {
  jwt: string;
  token: AccessToken;
  client: Client;
  expiresIn: number;
}

/** Passport's personal access tokens: `$user->createToken($name, $scopes)`, their list and revocation. */
export interface PersonalAccessUseCases {
  issue(request: IssuePersonalAccessToken): Promise<IssuedPersonalAccessToken>;
  list(userId: number): Promise<TokenWithClient[]>;
  /** False when the token is not the user's. */
  revoke(userId: number, tokenId: string): Promise<boolean>;
  /** The internal client that issues them, created when missing (install, first start). */
  ensureClient(): Promise<{ client: Client; created: boolean }>;
}

export interface PersonalAccessDeps {
  grants: GrantContext;
  clients: ClientDirectory;
  clientStore: ClientRepository;
  appName: string;
  ttlSeconds: number;
}

export function createPersonalAccessUseCases(deps: PersonalAccessDeps): PersonalAccessUseCases {
  const ensureClient = () => ensurePersonalAccessClient(deps.clientStore, deps.appName);
  return {
    async issue({ userId, name, scopes }) {
      const { client } = await ensureClient();
      const issued = await deps.grants.tokens.issueAccessToken({
        clientId: client.id,
        userId,
        scopes: [...new Set(scopes)],
        ttlSeconds: deps.ttlSeconds,
        name,
      });
      return { jwt: issued.jwt, token: issued.record, client, expiresIn: deps.ttlSeconds };
    },
    async list(userId) {
      const tokens = await liveTokensWithClients(deps, userId);
      return tokens.filter(({ client }) => client.personalAccessClient);
    },
    revoke: (userId, tokenId) => revokeUserToken(deps.grants, userId, tokenId),
    ensureClient,
  };
}

/**
 * The internal client that issues personal access tokens (Passport's
 * `passport:client --personal`). Created by `install` and by the first start; a missing
 * one is created on demand, never a 500 for the user.
 */
export async function ensurePersonalAccessClient(clients: ClientRepository, appName: string): Promise<{ client: Client; created: boolean }> {
  const existing = await clients.findPersonalAccessClient();
  if (existing) return { client: existing, created: false };
  const client = await clients.create({
    userId: null,
    name: `${appName} Personal Access Client`,
    secretHash: null,
    redirectUris: [],
    personalAccessClient: true,
    grantTypes: ['personal_access'],
  });
  return { client, created: true };
}
