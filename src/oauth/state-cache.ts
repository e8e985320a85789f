/**
 * The slice of the application cache the core uses (the AppCache satisfies it). Keeping the
 * revocation state here is what lets bearer validation skip the database on the common path.
 */
export interface StateCache {
  many<T>(keys: string[]): Promise<(T | undefined)[]>;
  /**
   * A cache that lives in this process reads a key without waiting (undefined: not held);
   * a shared cache (Redis) has no such read, and callers use `many`.
   */
  readonly peek?: (<T>(key: string) => T | undefined) | undefined;
  put(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  forget(key: string): Promise<boolean>;
}

/** What a look-up in this process's cache alone answers when the cache does not hold the state: ask the async way. */
export const NOT_IN_MEMORY = Symbol('not in memory');

export const cacheKeys = {
  token: (jti: string) => `token:${jti}`,
  client: (id: string) => `client:${id}`,
  user: (id: number) => `user:${id}`,
};

/** How long a user's existence is trusted without asking the database again. */
export const USER_CACHE_SECONDS = 60;
/** Client records are invalidated on every change; the TTL only bounds memory. */
export const CLIENT_CACHE_SECONDS = 3600;
