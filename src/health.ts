import { isRedisUnreachable } from './cache/redis-link.js';
import type { LinkChange, RedisLink } from './cache/redis-link.js';

export type DependencyState = 'up' | 'down' | 'not configured';

/** GET /health: what a load balancer needs to know. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  database: DependencyState;
  redis: DependencyState;
}

/** Whether the service can answer, and why a failed request failed. */
export interface Health {
  check(): Promise<HealthReport>;
  /** The dependency a request failed on ('Redis', 'the database'), when the error means it is unreachable. */
  unavailable(error: unknown): string | undefined;
  /** Called once per change of a dependency's reachability (to log it once, not per request). */
  onChange(listener: (change: LinkChange & { dependency: string }) => void): void;
}

export interface HealthProbes {
  /** Runs `select 1`; false when the database does not answer. */
  database(): Promise<boolean>;
  redis: RedisLink | undefined;
}

export function createHealth(probes: HealthProbes): Health {
  return {
    async check() {
      const [database, redis] = await Promise.all([probes.database(), probes.redis ? probes.redis.ping() : Promise.resolve(undefined)]);
      const report: HealthReport = {
        status: database && redis !== false ? 'ok' : 'unavailable',
        database: database ? 'up' : 'down',
        redis: redis === undefined ? 'not configured' : redis ? 'up' : 'down',
      };
      return report;
    },
    unavailable(error) {
      if (probes.redis && (isRedisUnreachable(error) || !probes.redis.isUp()) && isInfrastructureError(error)) return 'Redis';
      if (isDatabaseUnreachable(error)) return 'the database';
      return undefined;
    },
    onChange(listener) {
      probes.redis?.onChange((change) => listener({ ...change, dependency: 'Redis' }));
    },
  };
}

/** An error thrown by a driver, not one of the application's own answers (those carry a status). */
function isInfrastructureError(error: unknown): boolean {
  return error instanceof Error && !('statusCode' in error) && !('status' in error);
}

/** PostgreSQL (pg) errors that mean the server cannot be reached, as opposed to a failing query. */
const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && PG_CONNECTION_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(error.message);
}
