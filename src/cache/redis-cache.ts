import { createHash } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { loadRedis } from './redis-link.js';
import type { AppCache, TaggedCache } from './app-cache.js';

export type RedisCacheOptions =
  | {
      url: string;
      /** Prepended to every key, separator included (`authgate_cache:`). */
      prefix: string;
      /** Connection errors; commands still reject on their own. */
      onError?: ((error: Error) => void) | undefined;
    }
  | {
      /** A client owned by the caller: close() leaves it open. */
      client: RedisClient;
      prefix: string;
    };

/** DEL takes many keys; chunks keep one flush of a huge tag from building one huge command. */
const DELETE_CHUNK = 500;

/**
 * The application cache shared by every node: state lives only in Redis, so a put or a
 * forget on one node is what the next read on any node sees.
 */
export class RedisCache implements AppCache {
  private readonly client: RedisClient;
  private readonly prefix: string;
  private readonly ownsClient: boolean;

  constructor(options: RedisCacheOptions) {
    this.prefix = options.prefix;
    if ('client' in options) {
      this.client = options.client;
      this.ownsClient = false;
      return;
    }
    this.client = new (loadRedis())(options.url, {
      lazyConnect: true,
      // A dead Redis fails a command after one reconnect attempt instead of queueing it forever.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    });
    this.ownsClient = true;
    // Without a listener an 'error' event would crash the process; commands reject anyway.
    const onError = options.onError ?? ((): void => undefined);
    this.client.on('error', onError);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return decode<T>(await this.client.get(this.prefix + key));
  }

  async many<T>(keys: string[]): Promise<(T | undefined)[]> {
    if (keys.length === 0) return [];
    const raw = await this.client.mget(keys.map((key) => this.prefix + key));
    return raw.map((value) => decode<T>(value));
  }

  async put(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.write(this.prefix + key, value, ttlSeconds, []);
  }

  async forget(key: string): Promise<boolean> {
    return (await this.client.del(this.prefix + key)) > 0;
  }

  tags(tags: string[]): TaggedCache {
    const names = [...new Set(tags)].sort();
    const namespace = tagNamespace(names);
    const stored = (key: string): string => `${this.prefix}${namespace}:${key}`;
    const tagKeys = names.map((name) => this.tagKey(name));
    return {
      get: async <T>(key: string) => decode<T>(await this.client.get(stored(key))),
      put: (key, value, ttlSeconds) => this.write(stored(key), value, ttlSeconds, tagKeys),
      forget: async (key) => {
        const multi = this.client.multi().del(stored(key));
        for (const tagKey of tagKeys) multi.zrem(tagKey, stored(key));
        const results = await exec(multi);
        return Number(results[0]) > 0;
      },
      flush: () => this.flushTags(tagKeys),
    };
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    // QUIT only over a live connection: a lazy client that never connected, or one
    // reconnecting to a dead server, would otherwise wait on a reply that never comes.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /**
   * Each tag keeps a sorted set of its members' full keys scored by expiry, so flush finds
   * them and a put can prune members that expired (a plain SET would grow without bound).
   */
  private tagKey(name: string): string {
    return `${this.prefix}tagset:${name}`;
  }

  private async write(fullKey: string, value: unknown, ttlSeconds: number, tagKeys: string[]): Promise<void> {
    const encoded = JSON.stringify(value);
    if (encoded === undefined) throw new TypeError('cache values must be JSON-serialisable');
    // Like Laravel: a TTL of zero or less stores nothing and drops what was there.
    if (!(ttlSeconds > 0)) {
      await this.client.del(fullKey);
      return;
    }
    const seconds = Math.ceil(ttlSeconds);
    if (tagKeys.length === 0) {
      await this.client.set(fullKey, encoded, 'EX', seconds);
      return;
    }
    const now = Date.now();
    const multi = this.client.multi().set(fullKey, encoded, 'EX', seconds);
    for (const tagKey of tagKeys) {
      multi.zadd(tagKey, now + seconds * 1000, fullKey).zremrangebyscore(tagKey, '-inf', now);
    }
    await exec(multi);
  }

  private async flushTags(tagKeys: string[]): Promise<void> {
    for (const tagKey of tagKeys) {
      const members = await this.client.zrange(tagKey, '0', '-1');
      for (let i = 0; i < members.length; i += DELETE_CHUNK) {
        await this.client.del(...members.slice(i, i + DELETE_CHUNK));
      }
      await this.client.del(tagKey);
    }
  }
}

type Multi = ReturnType<RedisClient['multi']>;

/** MULTI reports per-command errors inside its result; surface the first as a rejection. */
async function exec(multi: Multi): Promise<unknown[]> {
  const results = await multi.exec();
  if (results === null) throw new Error('redis transaction was aborted');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

function decode<T>(raw: string | null | undefined): T | undefined {
  return raw === null || raw === undefined ? undefined : (JSON.parse(raw) as T);
}

/** Same derivation as the memory cache: sorted, JSON-encoded tag names, hashed. */
function tagNamespace(names: readonly string[]): string {
  return `tag:${createHash('sha1').update(JSON.stringify(names)).digest('hex')}`;
}
