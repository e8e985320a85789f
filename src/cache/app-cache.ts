/**
 * The application cache: client look-ups, token revocation state, users. In memory on one
 * node; in Redis with REDIS_URL, so every node sees a change (a revocation) at once.
 * Values are JSON-serialisable. Tags group keys so they can be forgotten together
 * (Laravel's tagged cache); a tagged key is distinct from the same key untagged.
 */
export interface AppCache {
  get<T>(key: string): Promise<T | undefined>;
  /** Several keys in one round trip; the result lines up with `keys`. */
  many<T>(keys: string[]): Promise<(T | undefined)[]>;
  put(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** True when the key existed. */
  forget(key: string): Promise<boolean>;
  tags(tags: string[]): TaggedCache;
  /** Releases connections. */
  close(): Promise<void>;
}

export interface TaggedCache {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  forget(key: string): Promise<boolean>;
  /** Forgets every key stored under these tags. */
  flush(): Promise<void>;
}
