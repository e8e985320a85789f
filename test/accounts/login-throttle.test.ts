import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttemptCounter } from '../../src/accounts/login-throttle.js';
import { LoginThrottle, MemoryAttemptCounter, RedisAttemptCounter } from '../../src/accounts/login-throttle.js';
import { REDIS_URL, uniqueName } from '../helpers/services.js';

describe('LoginThrottle', () => {
  it('allows maxAttempts per email (any case) and address, then refuses until the window closes', async () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(new MemoryAttemptCounter(() => now), { maxAttempts: 2, windowSeconds: 60 });
    expect(await throttle.attempt('a@example.com', '1.1.1.1')).toEqual({ allowed: true, limit: 2, remaining: 1, retryAfter: 60 });
    now += 15_000;
    expect(await throttle.attempt('A@EXAMPLE.com', '1.1.1.1')).toEqual({ allowed: true, limit: 2, remaining: 0, retryAfter: 45 });
    expect(await throttle.attempt('a@example.com', '1.1.1.1')).toMatchObject({ allowed: false, retryAfter: 45 });
    expect(await throttle.attempt('a@example.com', '2.2.2.2')).toMatchObject({ allowed: true });
    now += 45_000;
    expect(await throttle.attempt('a@example.com', '1.1.1.1')).toMatchObject({ allowed: true, remaining: 1, retryAfter: 60 });
  });

  it('clears the count, and is off at 0', async () => {
    const throttle = new LoginThrottle(new MemoryAttemptCounter(), { maxAttempts: 1 });
    await throttle.attempt('a@example.com', 'x');
    await throttle.clear('a@example.com', 'x');
    expect(await throttle.attempt('a@example.com', 'x')).toMatchObject({ allowed: true });
    const off = new LoginThrottle(new MemoryAttemptCounter(), { maxAttempts: 0 });
    for (let n = 0; n < 5; n += 1) expect((await off.attempt('a@example.com', 'x')).allowed).toBe(true);
  });
});

describe.skipIf(!REDIS_URL)('RedisAttemptCounter', () => {
  const redis = new Redis(REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  const prefix = `${uniqueName('authgate_throttle')}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts atomically across parallel attempts and expires with its window', async () => {
    const counter: AttemptCounter = new RedisAttemptCounter(redis, prefix);
    const results = await Promise.all(Array.from({ length: 10 }, () => counter.increment('k', 60)));
    expect(results.map((r) => r.attempts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await redis.ttl(`${prefix}k`)).toBeGreaterThan(55);
    await counter.reset('k');
    expect(await counter.increment('k', 1)).toEqual({ attempts: 1, secondsLeft: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await counter.increment('k', 60)).attempts).toBe(1);
  });
});
