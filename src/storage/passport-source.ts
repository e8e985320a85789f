import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import type * as mysql from 'mysql2';
import type pg from 'pg';

/**
 * A Laravel Passport database to read from (`authgate import:passport`): MySQL/MariaDB,
 * PostgreSQL or SQLite, through Kysely. Only read: nothing here writes to the source.
 */
export type SourceDialect = 'mysql' | 'postgres' | 'sqlite';

export interface SourceLocation {
  dialect: SourceDialect;
  /** A URL for the network databases, an absolute file path for SQLite. */
  target: string;
  /** What to print about the source: the URL without its password. */
  display: string;
}

/** A row as the driver returns it; its columns depend on the Passport version. */
export type SourceRow = Record<string, unknown>;

export interface PassportSource {
  dialect: SourceDialect;
  /** Untyped on purpose: the source's columns are only known after introspection. */
  db: Kysely<Record<string, SourceRow>>;
  close(): Promise<void>;
}

/** A source URL that cannot name a database: a usage error, reported before anything is opened. */
export class SourceUrlError extends Error {
  override name = 'SourceUrlError';
}

const FORMS = 'mysql://user:pass@host:3306/db, postgres://user:pass@host:5432/db or sqlite:<path>';

export function parseSourceUrl(input: string): SourceLocation {
  const value = input.trim();
  if (value.startsWith('sqlite:')) return sqliteLocation(value.slice('sqlite:'.length));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SourceUrlError(`"${input}" is not a database URL; expected ${FORMS}.`);
  }
  const dialect = url.protocol === 'mysql:' || url.protocol === 'mariadb:' ? 'mysql' : /^postgres(ql)?:$/.test(url.protocol) ? 'postgres' : undefined;
  if (!dialect) throw new SourceUrlError(`Unsupported database "${url.protocol.replace(/:$/, '')}"; expected ${FORMS}.`);
  if (url.hostname === '') throw new SourceUrlError(`"${input}" names no host; expected ${FORMS}.`);
  if (url.pathname.replace(/^\//, '') === '') throw new SourceUrlError(`"${input}" names no database; expected ${FORMS}.`);
  if (dialect === 'mysql') url.protocol = 'mysql:';
  const display = new URL(url.toString());
  if (display.password !== '') display.password = '***';
  return { dialect, target: url.toString(), display: display.toString() };
}

function sqliteLocation(path: string): SourceLocation {
  const file = path.replace(/^\/\/(?=\/)/, '');
  if (file === '' || file === ':memory:') throw new SourceUrlError('sqlite: needs the path of the Passport database file.');
  const absolute = resolve(file);
  if (!existsSync(absolute)) throw new SourceUrlError(`There is no SQLite database at ${absolute}.`);
  return { dialect: 'sqlite', target: absolute, display: `sqlite:${absolute}` };
}

export function openPassportSource(location: SourceLocation): PassportSource {
  const db = new Kysely<Record<string, SourceRow>>({ dialect: dialectFor(location) });
  return { dialect: location.dialect, db, close: () => db.destroy() };
}

/** The drivers of an import's source, loaded only when an import runs (a serving node never needs them). */
const load = createRequire(import.meta.url);

function dialectFor({ dialect, target }: SourceLocation) {
  switch (dialect) {
    case 'sqlite':
      return new SqliteDialect({ database: new SQLite(target, { readonly: true, fileMustExist: true }) });
    case 'mysql':
      // dateStrings: DATETIME/TIMESTAMP come back exactly as Laravel wrote them (its app
      // timezone, UTC by default), not shifted through this machine's local zone.
      return new MysqlDialect({
        pool: (load('mysql2') as typeof mysql).createPool({ uri: target, connectionLimit: 2, dateStrings: true, charset: 'utf8mb4', supportBigNumbers: true }),
      });
    case 'postgres':
      return new PostgresDialect({ pool: new (load('pg') as typeof pg).Pool({ connectionString: target, max: 2, types: { getTypeParser } }) });
  }
}

const INT8 = 20;
const TIMESTAMP = 1114;

// Laravel's pgsql columns are `timestamp(0) without time zone` holding UTC: keep the text (the
// default parser would read it in this machine's zone). bigint ids as numbers.
function getTypeParser(oid: number, format?: 'text' | 'binary') {
  if (oid === TIMESTAMP) return (value: string) => value;
  if (oid === INT8) return (value: string) => (/^-?\d{1,15}$/.test(value) ? Number(value) : value);
  const { types } = load('pg') as typeof pg;
  return format === 'binary' ? types.getTypeParser(oid, 'binary') : types.getTypeParser(oid, 'text');
}

/** Table name → its column names, for the tables of the source's current database or schema. */
export async function sourceTables(source: PassportSource): Promise<Map<string, Set<string>>> {
  let schema: string | undefined;
  if (source.dialect === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(source.db);
    schema = rows[0]?.schema;
  }
  const tables = await source.db.introspection.getTables();
  const found = new Map<string, Set<string>>();
  for (const table of tables) {
    if (table.isView || (schema !== undefined && table.schema !== schema)) continue;
    found.set(table.name, new Set(table.columns.map((column) => column.name)));
  }
  return found;
}

/**
 * Every row of a table, `batchSize` at a time, in primary key order (keyset pagination: no
 * OFFSET scans, and a table of millions of tokens never sits in memory at once).
 */
export async function* readBatches(
  source: PassportSource,
  table: string,
  columns: string[],
  batchSize = 500,
): AsyncGenerator<SourceRow[]> {
  let last: unknown;
  const selected = sql.join(columns.map((column) => sql.ref(column)));
  for (;;) {
    const after = last === undefined ? sql`` : sql`where ${sql.ref('id')} > ${last}`;
    const { rows } = await sql<SourceRow>`select ${selected} from ${sql.table(table)} ${after} order by ${sql.ref('id')} limit ${batchSize}`.execute(
      source.db,
    );
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    last = rows[rows.length - 1]?.id;
  }
}
