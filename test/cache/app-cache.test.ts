import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppCache } from '../../src/cache/app-cache.js';
import { createCache } from '../../src/cache/create-cache.js';
import { MemoryCache } from '../../src/cache/memory-cache.js';
import { RedisCache } from '../../src/cache/redis-cache.js';
import { REDIS_URL, uniqueName } from '../helpers/services.js';

/** Every Redis key this run writes starts here, so afterAll can remove exactly those. */
const RUN_PREFIX = `${uniqueName('authgate_cache_test')}:`;
let prefixCount = 0;
function freshPrefix(): string {
  prefixCount += 1;
  return `${RUN_PREFIX}${prefixCount}:`;
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

interface Variant {
  name: string;
  enabled: boolean;
  make(): AppCache;
  /** Moves time forward: the memory cache's clock is faked, Redis needs a real wait. */
  passTime(ms: number): Promise<void>;
  setUp(): void;
  tearDown(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const variants: Variant[] = [
  {
    name: 'memory',
    enabled: true,
    make: () => new MemoryCache(),
    passTime: async (ms) => {
      vi.setSystemTime(Date.now() + ms);
    },
    setUp: () => vi.useFakeTimers({ toFake: ['Date'] }),
    tearDown: () => vi.useRealTimers(),
  },
  {
    name: 'redis',
    enabled: REDIS_URL !== undefined,
    make: () => new RedisCache({ url: REDIS_URL ?? '', prefix: freshPrefix() }),
    passTime: sleep,
    setUp: () => undefined,
    tearDown: () => undefined,
  },
];

afterAll(async () => {
  if (REDIS_URL) await deleteKeys(REDIS_URL, `${RUN_PREFIX}*`);
});

describe.each(variants)('AppCache contract: $name', (variant) => {
  describe.skipIf(!variant.enabled)(variant.name, () => {
    let cache: AppCache;

    beforeEach(() => {
      variant.setUp();
      cache = variant.make();
    });

    afterEach(async () => {
      await cache.close();
      variant.tearDown();
    });

    it('reads a miss as undefined and a put back as stored', async () => {
      expect(await cache.get('missing')).toBeUndefined();
      await cache.put('client:1', { id: 1, name: 'App', scopes: ['a', 'b'] }, 60);
      expect(await cache.get('client:1')).toEqual({ id: 1, name: 'App', scopes: ['a', 'b'] });
      await cache.put('client:1', 'replaced', 60);
      expect(await cache.get('client:1')).toBe('replaced');
    });

    it('keeps falsy JSON values distinct from a miss', async () => {
      await cache.put('zero', 0, 60);
      await cache.put('false', false, 60);
      await cache.put('null', null, 60);
      expect(await cache.many(['zero', 'false', 'null'])).toEqual([0, false, null]);
    });

    it('many lines results up with the keys, misses included', async () => {
      await cache.put('a', 1, 60);
      await cache.put('c', 3, 60);
      expect(await cache.many(['a', 'b', 'c', 'a'])).toEqual([1, undefined, 3, 1]);
      expect(await cache.many([])).toEqual([]);
    });

    it('forget reports whether the key existed', async () => {
      await cache.put('k', 'v', 60);
      expect(await cache.forget('k')).toBe(true);
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.forget('k')).toBe(false);
    });

    it('expires an entry after its TTL', async () => {
      await cache.put('short', 'v', 1);
      await cache.put('long', 'v', 60);
      expect(await cache.get('short')).toBe('v');
      await variant.passTime(1_100);
      expect(await cache.get('short')).toBeUndefined();
      expect(await cache.many(['short', 'long'])).toEqual([undefined, 'v']);
      expect(await cache.forget('short')).toBe(false);
    });

    it('drops the key when put with a TTL of zero, like Laravel', async () => {
      await cache.put('k', 'v', 60);
      await cache.put('k', 'v', 0);
      expect(await cache.get('k')).toBeUndefined();
    });

    it('refuses undefined, which is not JSON', async () => {
      await expect(cache.put('k', undefined, 60)).rejects.toThrow(TypeError);
    });

    it('keeps a tagged key apart from the same key untagged or under other tags', async () => {
      await cache.put('k', 'plain', 60);
      await cache.tags(['a']).put('k', 'under a', 60);
      await cache.tags(['a', 'b']).put('k', 'under a,b', 60);
      expect(await cache.get('k')).toBe('plain');
      expect(await cache.tags(['a']).get('k')).toBe('under a');
      expect(await cache.tags(['b']).get('k')).toBeUndefined();
      // Tag order does not matter: the namespace comes from the sorted names.
      expect(await cache.tags(['b', 'a']).get('k')).toBe('under a,b');
    });

    it('forgets a tagged key without touching the untagged one', async () => {
      await cache.put('k', 'plain', 60);
      await cache.tags(['a']).put('k', 'tagged', 60);
      expect(await cache.tags(['a']).forget('k')).toBe(true);
      expect(await cache.tags(['a']).forget('k')).toBe(false);
      expect(await cache.tags(['a']).get('k')).toBeUndefined();
      expect(await cache.get('k')).toBe('plain');
    });

    it('flush forgets every key stored under any of its tags, and nothing else', async () => {
      await cache.tags(['a', 'b']).put('x', 1, 60);
      await cache.tags(['a']).put('y', 2, 60);
      await cache.tags(['b']).put('z', 3, 60);
      await cache.tags(['c']).put('w', 4, 60);
      await cache.put('y', 'plain', 60);

      await cache.tags(['a']).flush();

      expect(await cache.tags(['a', 'b']).get('x')).toBeUndefined();
      expect(await cache.tags(['a']).get('y')).toBeUndefined();
      expect(await cache.tags(['b']).get('z')).toBe(3);
      expect(await cache.tags(['c']).get('w')).toBe(4);
      expect(await cache.get('y')).toBe('plain');

      await cache.tags(['b', 'c']).flush();
      expect(await cache.tags(['b']).get('z')).toBeUndefined();
      expect(await cache.tags(['c']).get('w')).toBeUndefined();
    });

    it('flushing a tag with nothing under it is harmless, and the tag can be reused', async () => {
      await cache.tags(['empty']).flush();
      await cache.tags(['empty']).put('k', 'v', 60);
      expect(await cache.tags(['empty']).get('k')).toBe('v');
    });
  });
});

describe('MemoryCache bound', () => {
  it('evicts the least recently used entry past maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 3 });
    await cache.put('a', 1, 60);
    await cache.put('b', 2, 60);
    await cache.put('c', 3, 60);
    expect(await cache.get('a')).toBe(1); // a is now the most recently used
    await cache.put('d', 4, 60);
    expect(cache.size).toBe(3);
    expect(await cache.many(['a', 'b', 'c', 'd'])).toEqual([1, undefined, 3, 4]);
  });

  it('evicts tagged entries too, and a later flush still works', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.tags(['t']).put('a', 1, 60);
    await cache.tags(['t']).put('b', 2, 60);
    await cache.put('c', 3, 60);
    expect(await cache.tags(['t']).get('a')).toBeUndefined();
    await cache.tags(['t']).flush();
    expect(await cache.tags(['t']).get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe(3);
    expect(cache.size).toBe(1);
  });

  it('rejects a bound that is not a positive integer', () => {
    expect(() => new MemoryCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe.skipIf(!REDIS_URL)('RedisCache on several nodes', () => {
  const url = REDIS_URL ?? '';
  let prefix: string;
  let nodeA: RedisCache;
  let nodeB: RedisCache;

  beforeEach(() => {
    prefix = freshPrefix();
    nodeA = new RedisCache({ url, prefix });
    nodeB = new RedisCache({ url, prefix });
  });

  afterEach(async () => {
    await Promise.all([nodeA.close(), nodeB.close()]);
  });

  it("sees another node's puts and forgets at once", async () => {
    await nodeA.put('revoked:token-1', true, 60);
    expect(await nodeB.get('revoked:token-1')).toBe(true);
    expect(await nodeB.many(['revoked:token-1', 'revoked:token-2'])).toEqual([true, undefined]);

    expect(await nodeB.forget('revoked:token-1')).toBe(true);
    expect(await nodeA.get('revoked:token-1')).toBeUndefined();
    expect(await nodeA.forget('revoked:token-1')).toBe(false);
  });

  it("sees another node's tag flush at once", async () => {
    await nodeA.tags(['clients']).put('client:1', { id: 1 }, 60);
    expect(await nodeB.tags(['clients']).get('client:1')).toEqual({ id: 1 });
    await nodeB.tags(['clients']).flush();
    expect(await nodeA.tags(['clients']).get('client:1')).toBeUndefined();
  });

  it('does not see a cache under another prefix', async () => {
    const other = new RedisCache({ url, prefix: freshPrefix() });
    try {
      await nodeA.put('k', 'v', 60);
      expect(await other.get('k')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('stores with SET … EX under the prefix, and a caller-owned client stays open', async () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      const cache = new RedisCache({ client, prefix });
      await cache.put('k', 'v', 30);
      const ttl = await client.ttl(`${prefix}k`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
      expect(await client.get(`${prefix}k`)).toBe('"v"');
      await cache.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('prunes expired members from a tag set on the next put', async () => {
    const tagged = nodeA.tags(['sessions']);
    await tagged.put('old', 1, 1);
    await sleep(1_100);
    await tagged.put('new', 2, 60);
    const admin = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      const members = await admin.zrange(`${prefix}tagset:sessions`, '0', '-1');
      expect(members).toHaveLength(1);
      expect(members[0]).toMatch(/:new$/);
    } finally {
      await admin.quit();
    }
  });
});

describe('RedisCache with Redis unreachable', () => {
  it('rejects promptly instead of crashing or hanging', async () => {
    const errors: Error[] = [];
    // Port 1 refuses connections on any test machine.
    const cache = new RedisCache({ url: 'redis://127.0.0.1:1', prefix: 'unreachable:', onError: (e) => errors.push(e) });
    const started = Date.now();
    try {
      await expect(cache.get('k')).rejects.toThrow();
      await expect(cache.put('k', 'v', 60)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await cache.close();
    }
  });
});

describe('createCache', () => {
  it('is in memory without a Redis URL', async () => {
    const cache = createCache({});
    expect(cache).toBeInstanceOf(MemoryCache);
    await cache.close();
  });

  it('is Redis with a Redis URL, without connecting until used', async () => {
    const cache = createCache({ redisUrl: 'redis://127.0.0.1:1', prefix: 'p:' });
    expect(cache).toBeInstanceOf(RedisCache);
    await cache.close();
  });
});
