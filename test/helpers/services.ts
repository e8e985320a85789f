import { randomBytes } from 'node:crypto';
import type { DatabaseHandle } from '../../src/storage/database.js';
import { migrateToLatest, openDatabase } from '../../src/storage/database.js';

/**
 * External services for tests. PostgreSQL and Redis tests run when TEST_DATABASE_URL /
 * TEST_REDIS_URL are set (CI sets both) and fail loudly when the service is unreachable;
 * without them they are skipped with the reason printed once.
 */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL;
export const REDIS_URL = process.env.TEST_REDIS_URL;

const announced = new Set<string>();
function announceSkip(what: string, variable: string): void {
  if (announced.has(what)) return;
  announced.add(what);
  console.warn(`[skip] ${what} tests skipped: ${variable} is not set`);
}

if (!POSTGRES_URL) announceSkip('PostgreSQL', 'TEST_DATABASE_URL');
if (!REDIS_URL) announceSkip('Redis', 'TEST_REDIS_URL');

/** A name unique to this test run and process, for PostgreSQL schemas and Redis prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  label: 'sqlite' | 'postgres';
  url: string;
  schema?: string;
}

/** The databases a storage-dependent test runs on: SQLite always, PostgreSQL when configured. */
export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [{ label: 'sqlite', url: 'sqlite::memory:' }];
  if (POSTGRES_URL) list.push({ label: 'postgres', url: POSTGRES_URL });
  return list;
}

/** Opens and migrates a fresh database: an in-memory SQLite, or a new PostgreSQL schema dropped on close. */
export async function freshDatabase(label: 'sqlite' | 'postgres' = 'sqlite'): Promise<DatabaseHandle> {
  if (label === 'sqlite') {
    const handle = openDatabase('sqlite::memory:');
    await migrateToLatest(handle);
    return handle;
  }
  if (!POSTGRES_URL) throw new Error('TEST_DATABASE_URL is not set');
  const schema = uniqueName('authgate_test');
  const handle = openDatabase(POSTGRES_URL, { schema });
  await migrateToLatest(handle);
  const close = handle.close;
  return {
    ...handle,
    close: async () => {
      const { sql } = await import('kysely');
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
      await close();
    },
  };
}
