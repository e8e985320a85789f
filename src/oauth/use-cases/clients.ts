import type { ClientDirectory } from '../client-directory.js';
import type { Client, ClientRepository, NewClient } from '../ports.js';
import { generateClientSecret, hashClientSecret } from '../secrets.js';
import type { TokenService } from '../token-service.js';

/** What a client is for; Passport's `passport:client` flags. */
export type ClientKind = 'authorization_code' | 'client_credentials' | 'password' | 'personal';

export interface ClientRegistration {
  /** The owner; null for clients made by an operator (CLI) or registered dynamically. */
  userId: number | null;
  name: string;
  redirectUris: string[];
  /** A confidential client gets a secret; a public one (SPA, native app) relies on PKCE. */
  confidential: boolean;
  /** Default `authorization_code`: a third-party client of the code flow. */
  kind?: ClientKind;
  /** First-party clients skip the consent screen. */
  firstParty?: boolean;
}

export interface RegisteredClient {
  client: Client;
  /** The secret in plain text, shown to its owner once; null for a public client. */
  plainSecret: string | null;
}

/** Every way a client comes into being or changes: the JSON API, the dashboard and the CLI use these. */
export interface ClientUseCases {
  register(registration: ClientRegistration): Promise<RegisteredClient>;
  /** The user's live client, or undefined: another user's or a revoked client is not found. */
  findOwned(userId: number, clientId: string): Promise<Client | undefined>;
  update(userId: number, clientId: string, changes: { name: string; redirectUris: string[] }): Promise<Client | undefined>;
  /** Revokes the user's client and every token issued to it; false when it is not the user's. */
  revoke(userId: number, clientId: string): Promise<boolean>;
  /**
   * Revokes a client and every token issued to it, whoever owns it (RFC 7592 §2.3: a
   * dynamically registered client deleting itself); false when unknown or already revoked.
   */
  revokeById(clientId: string): Promise<boolean>;
  listForUser(userId: number): Promise<Client[]>;
  listAll(): Promise<Client[]>;
}

export interface ClientUseCaseDeps {
  store: ClientRepository;
  directory: ClientDirectory;
  tokens: TokenService;
  appKey: string;
}

export function createClientUseCases(deps: ClientUseCaseDeps): ClientUseCases {
  const { store, directory } = deps;
  const findOwned = async (userId: number, clientId: string) => {
    const client = await store.findById(clientId);
    return client && client.userId === userId && !client.revoked ? client : undefined;
  };
  // The one revocation path: the client and every token issued to it go in one transaction;
  // then every node's cache learns of it, so none of those tokens is accepted a moment longer.
  const revokeClient = async (clientId: string) => {
    const revokedTokenIds = await store.revoke(clientId);
    await deps.tokens.markRevoked(revokedTokenIds);
    await directory.invalidate(clientId);
  };
  return {
    async register(registration) {
      const plainSecret = registration.confidential ? generateClientSecret() : null;
      const client = await store.create({
        ...clientRecord(registration),
        secretHash: plainSecret === null ? null : hashClientSecret(plainSecret, deps.appKey),
      });
      // A cached "unknown client" answer for this id must not outlive its creation.
      await directory.invalidate(client.id);
      return { client, plainSecret };
    },
    findOwned,
    async update(userId, clientId, changes) {
      if (!(await findOwned(userId, clientId))) return undefined;
      const updated = await store.update(clientId, changes);
      await directory.invalidate(clientId);
      return updated;
    },
    async revoke(userId, clientId) {
      if (!(await findOwned(userId, clientId))) return false;
      await revokeClient(clientId);
      return true;
    },
    async revokeById(clientId) {
      const client = await store.findById(clientId);
      if (!client || client.revoked) return false;
      await revokeClient(clientId);
      return true;
    },
    listForUser: (userId) => store.listForUser(userId),
    listAll: () => store.listAll(),
  };
}

/** The stored flags for a kind of client, as Passport's `passport:client` sets them. */
function clientRecord(registration: ClientRegistration): Omit<NewClient, 'secretHash'> {
  const kind = registration.kind ?? 'authorization_code';
  const grantTypes: Record<ClientKind, string[] | null> = {
    personal: ['personal_access'],
    client_credentials: ['client_credentials'],
    password: null,
    authorization_code: null,
  };
  return {
    userId: registration.userId,
    name: registration.name,
    redirectUris: registration.redirectUris,
    personalAccessClient: kind === 'personal',
    passwordClient: kind === 'password',
    skipsAuthorization: registration.firstParty ?? false,
    grantTypes: grantTypes[kind],
  };
}
