import type { Redis } from 'ioredis';
import type { AppCache } from './app-cache.js';
import type { CompactLaneSpec } from './compact-lane.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';

export interface CreateCacheOptions {
  /** Set on several nodes, so they share one cache (no state another node needs lives in one process); otherwise the cache is in memory. */
  redisUrl?: string | undefined;
  /** A Redis connection the caller owns (closing the cache leaves it open); wins over redisUrl. */
  redisClient?: Redis | undefined;
  /** Key prefix in Redis, separator included. */
  prefix?: string | undefined;
  /** Bound of the in-memory cache. */
  maxEntries?: number | undefined;
  /** Keys the in-memory cache keeps compactly (token states); Redis needs none. */
  compactLane?: CompactLaneSpec | undefined;
  onError?: ((error: Error) => void) | undefined;
}

export const DEFAULT_CACHE_PREFIX = 'authgate_cache:';

export function createCache(options: CreateCacheOptions = {}): AppCache {
  if (options.redisClient) return new RedisCache({ client: options.redisClient, prefix: options.prefix ?? DEFAULT_CACHE_PREFIX });
  if (options.redisUrl) {
    return new RedisCache({
      url: options.redisUrl,
      prefix: options.prefix ?? DEFAULT_CACHE_PREFIX,
      onError: options.onError,
    });
  }
  return new MemoryCache({ maxEntries: options.maxEntries, compactLane: options.compactLane });
}
