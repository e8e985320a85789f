import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryCache } from '../../src/cache/memory-cache.js';
import { tokenStateLane } from '../../src/oauth/token-service.js';

const tokenKey = (): string => `token:${randomBytes(40).toString('hex')}`;
const facts = (user: number | null, client = 'client-a', scopes: string[] = ['users:read']) => ({ user, client, scopes, audience: [client] });
const printed = (user: number | null, print: string | null) => (print === null ? facts(user) : { ...facts(user), print });

describe('MemoryCache with the token-state lane', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('gives back what was put for each token, revocations included, and forgets on request', async () => {
    const cache = new MemoryCache({ compactLane: tokenStateLane });
    const keys = Array.from({ length: 5000 }, tokenKey);
    for (const [i, key] of keys.entries()) await cache.put(key, i % 7 === 0 ? 'revoked' : facts(i % 3 === 0 ? null : i, `client-${i % 5}`), 3600);
    for (const [i, key] of keys.entries()) {
      expect(await cache.get(key)).toEqual(i % 7 === 0 ? 'revoked' : facts(i % 3 === 0 ? null : i, `client-${i % 5}`));
    }
    expect(cache.size).toBe(5000);
    // A live token revoked later: the new state replaces the old one.
    await cache.put(keys[1]!, 'revoked', 3600);
    expect(await cache.get(keys[1]!)).toBe('revoked');
    expect(await cache.forget(keys[2]!)).toBe(true);
    expect(await cache.forget(keys[2]!)).toBe(false);
    expect(await cache.many([keys[2]!, keys[4]!])).toEqual([undefined, facts(4, 'client-4')]);
    expect(cache.size).toBe(4999);
  });

  it('expires token states with their TTL', async () => {
    const cache = new MemoryCache({ compactLane: tokenStateLane });
    const [short, long] = [tokenKey(), tokenKey()];
    await cache.put(short, facts(1), 1);
    await cache.put(long, facts(2), 60);
    vi.setSystemTime(Date.now() + 1_100);
    expect(await cache.many([short, long])).toEqual([undefined, facts(2)]);
    expect(await cache.forget(short)).toBe(false);
  });

  it('stays within maxEntries under a flood of tokens, and what it keeps is right', async () => {
    const cache = new MemoryCache({ maxEntries: 1000, compactLane: tokenStateLane });
    const keys = Array.from({ length: 20_000 }, tokenKey);
    const print = (i: number): string => i.toString(16).padStart(32, 'f');
    for (const [i, key] of keys.entries()) await cache.put(key, { ...facts(i), print: print(i) }, 3600);
    expect(cache.size).toBeLessThanOrEqual(1000);
    let kept = 0;
    for (const [i, key] of keys.entries()) {
      const value = await cache.get(key);
      if (value === undefined) continue;
      kept++;
      expect(value).toEqual({ ...facts(i), print: print(i) });
    }
    expect(kept).toBe(cache.size);
    expect(kept).toBeGreaterThan(900);
  });

  it('keeps other values and other keys in the ordinary map', async () => {
    const cache = new MemoryCache({ compactLane: tokenStateLane });
    const key = tokenKey();
    await cache.put(key, 'live', 60);
    expect(await cache.get(key)).toBe('live');
    await cache.put(key, facts(5), 60);
    expect(await cache.get(key)).toEqual(facts(5));
    await cache.put('token:not-hex', facts(6), 60);
    await cache.put('client:abc', { id: 'abc' }, 60);
    expect(await cache.many(['token:not-hex', 'client:abc'])).toEqual([facts(6), { id: 'abc' }]);
  });

  it('behaves like a plain map through any sequence of puts, forgets and reads (collisions and deletions included)', async () => {
    // A tiny key space of ids sharing their first hex digits forces long probe runs.
    const ids = Array.from({ length: 64 }, (_, i) => `token:${'0'.repeat(6)}${i.toString(16).padStart(2, '0')}${'a'.repeat(24)}`);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('put' as const),
        id: fc.nat(63),
        user: fc.option(fc.nat(1000), { nil: null }),
        // The print of the token as issued (32 hex digits), kept per entry beside the user id.
        print: fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('hex')), { nil: null }),
      }),
      fc.record({ kind: fc.constant('forget' as const), id: fc.nat(63) }),
      fc.record({ kind: fc.constant('get' as const), id: fc.nat(63) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), async (ops) => {
        const cache = new MemoryCache({ compactLane: tokenStateLane });
        const model = new Map<string, unknown>();
        for (const step of ops) {
          const key = ids[step.id]!;
          if (step.kind === 'put') {
            await cache.put(key, printed(step.user, step.print), 60);
            model.set(key, printed(step.user, step.print));
          } else if (step.kind === 'forget') {
            expect(await cache.forget(key)).toBe(model.delete(key));
          } else {
            expect(await cache.get(key)).toEqual(model.get(key));
          }
        }
        for (const key of ids) expect(await cache.get(key)).toEqual(model.get(key));
        expect(cache.size).toBe(model.size);
      }),
      { numRuns: 200 },
    );
  });
});
