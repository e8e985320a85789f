import { sql } from 'kysely';
import type { DatabaseHandle } from './database.js';
import { migrateToLatest, openDatabase } from './database.js';
import type { Repositories } from './repositories/index.js';
import { createRepositories } from './repositories/index.js';

/** The database and every repository over it. */
export interface Storage {
  database: DatabaseHandle;
  repositories: Repositories;
  /** True when the database answers a trivial query (GET /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** PostgreSQL schema (tests give each run its own). */
  schema?: string | undefined;
}

/** Opens `sqlite:<path>` or `postgres://…`, migrated unless told otherwise. */
export async function openStorage(databaseUrl: string, options: StorageOptions = {}): Promise<Storage> {
  const database = openDatabase(databaseUrl, options.schema === undefined ? {} : { schema: options.schema });
  try {
    if (options.migrate ?? true) await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    database,
    repositories: createRepositories(database.db),
    ping: async () => {
      try {
        await sql`select 1`.execute(database.db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => database.close(),
  };
}
