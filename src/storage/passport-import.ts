import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { ImportRun, TablePlan, Target } from './passport-plans.js';
import { PLANS } from './passport-plans.js';
import { PassportImportError } from './passport-rows.js';
import type { PassportSource } from './passport-source.js';
import { readBatches } from './passport-source.js';

/**
 * `authgate import:passport`: copies a Laravel Passport database into Authgate's, in one
 * transaction on the target. Rows are matched by primary key, so running it again brings
 * over what changed since — except that it never un-revokes a client or token, and never
 * replaces a password or client secret that Authgate has already upgraded to its own hash.
 */
export { PassportImportError };

export const IMPORTED_TABLES = [
  'users',
  'oauth_clients',
  'oauth_personal_access_clients',
  'oauth_access_tokens',
  'oauth_refresh_tokens',
] as const;
export type ImportedTable = (typeof IMPORTED_TABLES)[number];

/** Passport tables left behind on purpose (see the CLI's message for why). */
export const SKIPPED_TABLES = ['oauth_auth_codes', 'oauth_device_codes', 'sessions'] as const;

export interface TableCounts {
  inserted: number;
  /** Rows already in Authgate, brought up to date. */
  updated: number;
}

export interface PassportImportResult {
  tables: Record<ImportedTable, TableCounts>;
  /** Tables of SKIPPED_TABLES that the source has. */
  skipped: string[];
  warnings: string[];
  /** Rows that existed before and may sit stale in a shared cache: clients, revoked tokens. */
  stale: { clientIds: string[]; tokenIds: string[] };
}

type SourceTables = ReadonlyMap<string, ReadonlySet<string>>;

/** Fails when the source is not a Passport database; the source's tables come from `sourceTables`. */
export async function importPassport(
  source: PassportSource,
  tables: SourceTables,
  target: { db: Target; dialect: Dialect },
): Promise<PassportImportResult> {
  if (!tables.has('oauth_clients')) {
    throw new PassportImportError('The source has no oauth_clients table: it is not a Laravel Passport database.');
  }
  for (const plan of PLANS) checkColumns(plan, tables.get(plan.table));
  const result: PassportImportResult = {
    tables: Object.fromEntries(IMPORTED_TABLES.map((table) => [table, { inserted: 0, updated: 0 }])) as Record<
      ImportedTable,
      TableCounts
    >,
    skipped: SKIPPED_TABLES.filter((table) => tables.has(table)),
    warnings: [],
    stale: { clientIds: [], tokenIds: [] },
  };
  const run: ImportRun = { result, markedClients: new Set(), deriveMarkers: !tables.has('oauth_personal_access_clients') };
  await target.db.transaction().execute(async (trx) => {
    for (const plan of PLANS) await importTable(source, tables, trx, plan as TablePlan<unknown>, run);
    // Explicit ids leave PostgreSQL's sequences behind: the next registration would collide.
    if (target.dialect === 'postgres') {
      await bumpSequence(trx, 'users');
      await bumpSequence(trx, 'oauth_personal_access_clients');
    }
  });
  return result;
}

function checkColumns(plan: TablePlan<unknown>, columns: ReadonlySet<string> | undefined): void {
  if (!columns) return;
  for (const alternatives of plan.required) {
    if (!alternatives.some((column) => columns.has(column))) {
      throw new PassportImportError(`The source table ${plan.table} has no ${alternatives.join(' or ')} column.`);
    }
  }
}

async function importTable(
  source: PassportSource,
  tables: SourceTables,
  trx: Target,
  plan: TablePlan<unknown>,
  run: ImportRun,
): Promise<void> {
  const columns = tables.get(plan.table);
  if (!columns) return;
  const selected = plan.wanted.filter((column) => columns.has(column));
  const counts = run.result.tables[plan.table];
  for await (const batch of readBatches(source, plan.table, selected)) {
    const written = await plan.write(
      trx,
      batch.map((row) => plan.map(row, columns)),
      run,
    );
    counts.inserted += written.inserted;
    counts.updated += written.updated;
  }
}

/** Moves the id sequence past the imported ids, never backwards (an id is never handed out twice). */
async function bumpSequence(trx: Target, table: 'users' | 'oauth_personal_access_clients'): Promise<void> {
  await sql`
    select setval(s.seq, greatest(m.top, coalesce(pg_sequence_last_value(s.seq::regclass), 0)))
    from (select pg_get_serial_sequence(${table}, 'id') as seq) s,
         (select max(id) as top from ${sql.table(table)}) m
    where s.seq is not null and m.top is not null
  `.execute(trx);
}

