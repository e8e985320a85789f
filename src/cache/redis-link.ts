import { createRequire } from 'node:module';
import type * as ioredis from 'ioredis';
import type { Redis as RedisClient } from 'ioredis';

/** ioredis, loaded only when REDIS_URL is set: a single node without Redis never pays its memory. */
export const loadRedis = (): typeof RedisClient => (createRequire(import.meta.url)('ioredis') as typeof ioredis).Redis;

/** A change of Redis's reachability, reported once per change (not once per failed request). */
export interface LinkChange {
  up: boolean;
  message: string;
}

/**
 * The one Redis connection of a process (cache, sessions, rate limits, the login throttle),
 * set to fail fast: a command waits neither for a connection that is down (no offline queue)
 * nor for an answer that does not come (a command timeout). It reconnects by itself, forever,
 * with a short back-off, so the application recovers as soon as Redis is back.
 */
export class RedisLink {
  readonly client: RedisClient;
  private up = false;
  private reported: boolean | undefined;
  private readonly listeners = new Set<(change: LinkChange) => void>();

  constructor(url: string, options: { connectTimeoutMs?: number; commandTimeoutMs?: number } = {}) {
    this.client = new (loadRedis())(url, {
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    });
    this.client.on('ready', () => this.report(true, 'Redis is reachable again.'));
    // Without an 'error' listener ioredis would crash the process; the failure is reported once.
    this.client.on('error', (error: Error) => this.report(false, `Redis is unreachable (${error.message}): requests that need it answer 503 until it is back.`));
    this.client.on('close', () => this.report(false, 'Redis closed the connection: requests that need it answer 503 until it is back.'));
  }

  /** Waits for the first connection, at most `timeoutMs`; a Redis that is down at start is reported, not fatal. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const onReady = () => finish(true);
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(result);
      };
      this.client.once('ready', onReady);
    });
  }

  isUp(): boolean {
    return this.up && this.client.status === 'ready';
  }

  /** Answers a PING within the command timeout. */
  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  onChange(listener: (change: LinkChange) => void): void {
    this.listeners.add(listener);
  }

  close(): void {
    this.listeners.clear();
    this.client.disconnect();
  }

  private report(up: boolean, message: string): void {
    this.up = up;
    // Log once per change; the first success at start is not news.
    if (this.reported === up || (this.reported === undefined && up)) {
      this.reported = up;
      return;
    }
    this.reported = up;
    for (const listener of this.listeners) listener({ up, message });
  }
}

/**
 * The errors ioredis raises when it cannot reach Redis: no connection (no offline queue), a
 * connection lost mid-command, a command that timed out. Any of them means "Redis is down",
 * which is a 503 for the request, not a bug.
 */
export function isRedisUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /Stream isn't writeable|enableOfflineQueue|Command timed out|Connection is closed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH/.test(error.message);
}
