import type { Redis } from 'ioredis';
import { sha256 } from '../oauth/random-tokens.js';

/** One key's attempts in its current window. */
export interface AttemptWindow {
  attempts: number;
  /** Seconds until the window closes and the count starts again. */
  secondsLeft: number;
}

/**
 * Where failed-login counts live. Every node must see the same counts, so with
 * REDIS_URL this is Redis; on one node it may be memory.
 */
export interface AttemptCounter {
  /** Counts one attempt; the first attempt of a key opens a window of `windowSeconds`. */
  increment(key: string, windowSeconds: number): Promise<AttemptWindow>;
  reset(key: string): Promise<void>;
}

/** The verdict on one login attempt, with what the X-RateLimit-* headers report. */
export interface ThrottleDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfter: number;
}

export interface LoginThrottleOptions {
  /** Failures allowed per window; 0 turns throttling off. */
  maxAttempts: number;
  windowSeconds?: number;
}

/**
 * Laravel's ThrottlesLogins: failures per email and client address. Each attempt is counted
 * before the password is checked and a success clears the count, so parallel guesses cannot
 * slip past the limit between a check and an increment.
 */
export class LoginThrottle {
  private readonly windowSeconds: number;

  constructor(
    private readonly counter: AttemptCounter,
    private readonly options: LoginThrottleOptions,
  ) {
    this.windowSeconds = options.windowSeconds ?? 60;
  }

  get enabled(): boolean {
    return this.options.maxAttempts > 0;
  }

  async attempt(email: string, address: string): Promise<ThrottleDecision> {
    const limit = this.options.maxAttempts;
    if (!this.enabled) return { allowed: true, limit, remaining: limit, retryAfter: 0 };
    const { attempts, secondsLeft } = await this.counter.increment(throttleKey(email, address), this.windowSeconds);
    return { allowed: attempts <= limit, limit, remaining: Math.max(0, limit - attempts), retryAfter: secondsLeft };
  }

  async clear(email: string, address: string): Promise<void> {
    if (this.enabled) await this.counter.reset(throttleKey(email, address));
  }
}

/** Hashed, so stored keys neither reveal emails nor grow with their length. */
function throttleKey(email: string, address: string): string {
  return sha256(`${email.toLowerCase()}|${address}`);
}

/** Counts in this process: for a single node without Redis. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly windows = new Map<string, { attempts: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, windowSeconds: number): Promise<AttemptWindow> {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { attempts: 0, endsAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.attempts += 1;
    return { attempts: window.attempts, secondsLeft: Math.max(1, Math.ceil((window.endsAt - now) / 1000)) };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Drops closed windows once the map grows, so guessed emails cannot fill memory. */
  private sweep(now: number): void {
    if (this.windows.size < 1000) return;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/** Counts in Redis, shared by every node: SET NX EX opens the window, INCR keeps its expiry. */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, windowSeconds: number): Promise<AttemptWindow> {
    const name = this.prefix + key;
    // One MULTI: the key never exists without its expiry, whatever happens between commands.
    const results = await this.redis.multi().set(name, '0', 'EX', windowSeconds, 'NX').incr(name).ttl(name).exec();
    const [, incr, ttl] = results ?? [];
    if (!incr || incr[0] || !ttl || ttl[0]) throw incr?.[0] ?? ttl?.[0] ?? new Error('Redis transaction aborted');
    const seconds = Number(ttl[1]);
    return { attempts: Number(incr[1]), secondsLeft: seconds > 0 ? seconds : windowSeconds };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
