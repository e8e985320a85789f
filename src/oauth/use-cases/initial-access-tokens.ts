import type { InitialAccessToken, InitialAccessTokenRepository } from '../ports.js';
import { opaqueToken, sha256 } from '../random-tokens.js';

export interface NewInitialAccessToken {
  /** The token in plain text: shown to the operator once, stored only as its SHA-256. */
  token: string;
  record: InitialAccessToken;
}

export type InitialAccessTokenRevocation = 'revoked' | 'already-revoked' | 'missing';

/**
 * The operator's initial access tokens for dynamic client registration (RFC 7591 §3:
 * `OAUTH_DYNAMIC_REGISTRATION=token`). A token may register any number of clients until it
 * expires or is revoked; the CLI makes, lists and revokes them.
 */
export interface InitialAccessTokenUseCases {
  create(options: { name?: string | null; ttlSeconds?: number | null }): Promise<NewInitialAccessToken>;
  list(): Promise<InitialAccessToken[]>;
  /** Revokes a token named by its id (the SHA-256 `list` shows) or by the token itself. */
  revoke(idOrToken: string): Promise<InitialAccessTokenRevocation>;
  /** True when the token exists, is not revoked and has not expired. */
  isLive(token: string): Promise<boolean>;
}

export interface InitialAccessTokenDeps {
  store: InitialAccessTokenRepository;
  now: () => number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function createInitialAccessTokenUseCases(deps: InitialAccessTokenDeps): InitialAccessTokenUseCases {
  const { store, now } = deps;
  return {
    async create(options) {
      const token = opaqueToken(32);
      // Stored to the second, as every timestamp column is.
      const createdAt = new Date(Math.floor(now() / 1000) * 1000);
      const ttl = options.ttlSeconds ?? null;
      const record: InitialAccessToken = {
        id: sha256(token),
        name: options.name ?? null,
        revoked: false,
        createdAt,
        expiresAt: ttl === null ? null : new Date(createdAt.getTime() + ttl * 1000),
      };
      await store.create(record);
      return { token, record };
    },
    list: () => store.list(),
    async revoke(idOrToken) {
      // An id is a SHA-256 in hex; anything else is taken for the token itself.
      const id = SHA256_HEX.test(idOrToken) ? idOrToken : sha256(idOrToken);
      const found = (await store.findById(id)) ?? (SHA256_HEX.test(idOrToken) ? await store.findById(sha256(idOrToken)) : undefined);
      if (!found) return 'missing';
      return (await store.revoke(found.id)) ? 'revoked' : 'already-revoked';
    },
    async isLive(token) {
      const found = await store.findById(sha256(token));
      return found !== undefined && !found.revoked && (found.expiresAt === null || found.expiresAt.getTime() > now());
    },
  };
}
