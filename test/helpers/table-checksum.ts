import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/storage/database.js';

/** Per table: the row count and a hash of every row (column order and row order do not matter). */
export type Checksums = Record<string, { rows: number; hash: string }>;

/** Columns left out of the comparison, by table: state a rejected request may legitimately touch. */
export type Mask = Record<string, readonly string[]>;

/**
 * Every table of the database (Kysely's own excepted), read through Kysely, so a test can tell
 * whether a request changed any row. On PostgreSQL only the handle's schema is read.
 */
export async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const tables = await handle.db.introspection.getTables({ withInternalKyselyTables: false });
  const schema = handle.dialect === 'postgres' ? (handle.schema ?? 'public') : undefined;
  return tables.filter((table) => schema === undefined || table.schema === schema).map((table) => table.name).sort();
}

export async function checksums(handle: DatabaseHandle, tables: readonly string[], mask: Mask = {}): Promise<Checksums> {
  const entries = await Promise.all(
    tables.map(async (table) => {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(handle.db);
      const hidden = new Set(mask[table] ?? []);
      const lines = rows.map((row) => JSON.stringify(Object.keys(row).sort().filter((column) => !hidden.has(column)).map((column) => [column, row[column]])));
      lines.sort();
      const hash = createHash('sha256');
      for (const line of lines) hash.update(line).update('\n');
      return [table, { rows: rows.length, hash: hash.digest('hex') }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** The tables whose checksum differs. */
export function changedTables(before: Checksums, after: Checksums): string[] {
  return Object.keys({ ...before, ...after }).filter(
    (table) => before[table]?.rows !== after[table]?.rows || before[table]?.hash !== after[table]?.hash,
  );
}
