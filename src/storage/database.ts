import { closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use, when not the default. */
  schema?: string | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL schema to use (created when missing); tests give each run its own. */
  schema?: string;
}

let postgresDriver: typeof pg | undefined;

/** The pg driver, loaded on first use: a server on SQLite never pays its memory. */
function loadPg(): typeof pg {
  if (postgresDriver === undefined) {
    postgresDriver = createRequire(import.meta.url)('pg') as typeof pg;
    // Return PostgreSQL bigints and timestamps in the same form SQLite gives them.
    postgresDriver.types.setTypeParser(postgresDriver.types.builtins.INT8, (value) => Number(value));
    postgresDriver.types.setTypeParser(postgresDriver.types.builtins.TIMESTAMP, (value) => value);
  }
  return postgresDriver;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  return openPostgres(url, options.schema);
}

function openSqlite(path: string): DatabaseHandle {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') createPrivately(file);
  const sqlite = new SQLite(file);
  // WAL: readers never block the writer. synchronous=NORMAL in WAL mode still writes every
  // commit to the WAL before returning, so an acknowledged write survives kill -9 of the
  // process (only a power loss can drop the last commits; FULL would fsync each one).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoints run on the writing thread and fsync the database file: with the default 1000
  // pages they stalled the token endpoint several times a second. 10000 pages (~40 MB of WAL)
  // copies each hot page once per checkpoint instead of ten times. Durability is unchanged.
  // (Checkpointing from a worker thread was measured: it shortened the p99 from 25 to 19 ms but
  // copied hot pages more often and cost 15% of the token endpoint's throughput on one core.)
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('foreign_keys = ON');
  cachePreparedStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/**
 * A new database holds password hashes and token ids: its folder is created 0700 and the file
 * 0600, whatever the umask — and so are SQLite's `-wal` and `-shm`, which SQLite creates with the
 * database file's mode. An existing file or folder is left as it is.
 */
function createPrivately(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/**
 * Kysely prepares every query afresh, and preparing costs more than running a small insert;
 * the token endpoint runs the same few statements thousands of times a second. Kysely uses
 * one connection at a time, so a cached statement is never run twice at once.
 */
function cachePreparedStatements(sqlite: SQLite.Database, limit = 256): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const statements = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (!statement) {
      statement = prepare(source);
      if (statements.size >= limit) statements.delete(statements.keys().next().value as string);
      statements.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}

function openPostgres(url: string, schema: string | undefined): DatabaseHandle {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new (loadPg().Pool)({
    connectionString: url,
    max: 10,
    // A database that does not answer fails the request in seconds (a 503), never hangs it.
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection the server dropped reports here; unhandled, it would end the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', schema, close: () => db.destroy() };
}

/** Applies every pending migration; throws with the failing migration's error. */
export async function migrateToLatest({ db, schema, dialect }: DatabaseHandle): Promise<string[]> {
  if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  // Kysely looks for its migration tables in every schema unless told which one: a schema
  // migrated next to another (parallel tests, another app) would otherwise skip creating its own.
  const tableSchema = dialect === 'postgres' ? (schema ?? 'public') : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(tableSchema ? { migrationTableSchema: tableSchema } : {}) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (attempt < MIGRATION_ATTEMPTS && anotherSchemaVanished(error, schema)) continue;
    throw error instanceof Error ? error : new Error(String(error));
  }
}

const MIGRATION_ATTEMPTS = 3;

/**
 * Kysely's migrator looks for its tables by listing the tables of every schema; a schema
 * dropped meanwhile by someone else (another application, a parallel test run) makes that
 * listing fail with `schema "…" does not exist` (3F000) before anything was migrated. Asking
 * again is safe: nothing of ours changed.
 */
function anotherSchemaVanished(error: unknown, ours: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '3F000' && typeof message === 'string' && !message.includes(`"${ours ?? 'public'}"`);
}
