import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/http/app.js';
import { buildApp } from '../../src/http/app.js';
import { loadConfig } from '../../src/config.js';
import type { Assembly } from '../../src/services.js';
import { assembleServices } from '../../src/services.js';
import { POSTGRES_URL, REDIS_URL, uniqueName } from './services.js';

/**
 * A complete application, and what it was assembled from: `services` is what routes see;
 * `storage` (repositories, database), `core` and `cache` are there for fixtures and checks.
 */
export interface TestApp extends Assembly {
  app: App;
  storagePath: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment variables (APP_URL, OAUTH_PASSWORD_GRANT, …). */
  env?: Record<string, string>;
  database?: 'sqlite' | 'postgres';
  /** Use Redis (cache, rate limits, sessions) with a per-run key prefix. */
  redis?: boolean;
}

/**
 * A complete application on a fresh database and a temporary storage/ (keys, APP_KEY),
 * configured exactly as the server reads its environment.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const storagePath = mkdtempSync(join(tmpdir(), 'authgate-test-'));
  const usePostgres = options.database === 'postgres';
  if (usePostgres && !POSTGRES_URL) throw new Error('TEST_DATABASE_URL is not set');
  if (options.redis && !REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
  const schema = usePostgres ? uniqueName('authgate_test') : undefined;
  const config = loadConfig({
    STORAGE_PATH: storagePath,
    APP_URL: 'http://localhost:8000',
    DATABASE_URL: usePostgres ? POSTGRES_URL : 'sqlite::memory:',
    LOG_LEVEL: 'silent',
    ...(options.redis ? { REDIS_URL, REDIS_PREFIX: `${uniqueName('authgate_test')}:` } : {}),
    ...options.env,
  });
  let assembly: Assembly;
  let app: App;
  try {
    assembly = await assembleServices(config, { generateSecrets: true, migrate: true, databaseSchema: schema });
    app = await buildApp(assembly.services, { logger: false });
    await app.ready();
  } catch (error) {
    // A set-up that fails (a database that cannot open) leaves no folder behind either.
    rmSync(storagePath, { recursive: true, force: true });
    throw error;
  }
  const { services, storage } = assembly;
  return {
    ...assembly,
    app,
    storagePath,
    async close() {
      await app.close();
      if (schema) {
        const { sql } = await import('kysely');
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(storage.database.db);
      }
      if (services.redis) {
        // A test may have taken Redis away: there is nothing to clean up then.
        const keys = await services.redis.keys(`${config.redisPrefix}*`).catch(() => []);
        if (keys.length > 0) await services.redis.del(...keys);
      }
      await services.close();
      rmSync(storagePath, { recursive: true, force: true });
    },
  };
}
