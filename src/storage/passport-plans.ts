import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { ImportedTable, PassportImportResult, TableCounts } from './passport-import.js';
import type {
  AccessTokenInsert,
  ClientInsert,
  PersonalAccessClientInsert,
  RefreshTokenInsert,
  UserInsert,
} from './passport-rows.js';
import {
  PassportImportError,
  toAccessToken,
  toClient,
  toPersonalAccessClient,
  toRefreshToken,
  toUser,
} from './passport-rows.js';
import type { SourceRow } from './passport-source.js';
import type { Database } from './schema.js';

/**
 * How each Passport table is read and written by `importPassport`. Every write is an upsert by
 * primary key that never un-revokes a client or token and never replaces a password or client
 * secret that Authgate has already upgraded to its own hash.
 */

export type Target = Kysely<Database>;

export interface TablePlan<Row> {
  table: ImportedTable;
  /** Columns read when the source has them. */
  wanted: string[];
  /** Columns without which the table cannot be read (one of each group). */
  required: string[][];
  map(row: SourceRow, columns: ReadonlySet<string>): Row;
  write(target: Target, rows: Row[], run: ImportRun): Promise<TableCounts>;
}

/** State shared by the tables of one import. */
export interface ImportRun {
  result: PassportImportResult;
  /** Personal access clients already marked during this run. */
  markedClients: Set<string>;
  /** The source has no oauth_personal_access_clients table: mark personal clients from their flag. */
  deriveMarkers: boolean;
}

const ARGON2_PREFIX = '$argon2%';
const HMAC_PREFIX = 'hmac-sha256$%';

const usersPlan: TablePlan<UserInsert> = {
  table: 'users',
  wanted: ['id', 'name', 'email', 'email_verified_at', 'password', 'remember_token', 'created_at', 'updated_at'],
  required: [['id'], ['email'], ['password']],
  map: toUser,
  async write(trx, rows) {
    const ids = rows.map((row) => row.id);
    const existing = await trx.selectFrom('users').select(['id', 'created_at']).where('id', 'in', ids).execute();
    await assertSameUsers(trx, rows, existing);
    await trx
      .insertInto('users')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          email_verified_at: eb.ref('excluded.email_verified_at'),
          remember_token: eb.ref('excluded.remember_token'),
          updated_at: eb.ref('excluded.updated_at'),
          // Rehashed to argon2id at a login here: newer than anything Passport holds.
          password: sql<string>`case when ${sql.ref('users.password')} like ${ARGON2_PREFIX} then ${sql.ref('users.password')} else ${sql.ref('excluded.password')} end`,
        })),
      )
      .execute();
    return { inserted: rows.length - existing.length, updated: existing.length };
  },
};

/**
 * A user row already in Authgate with the same id is the same account only if it was created
 * at the same moment (what an earlier import wrote); otherwise it is someone who registered
 * here, and copying over them would hand their account to a Passport user.
 */
async function assertSameUsers(
  trx: Target,
  rows: UserInsert[],
  existing: { id: number; created_at: string | null }[],
): Promise<void> {
  const incoming = new Map(rows.map((row) => [row.id, row]));
  const clash = existing.find((row) => incoming.get(row.id)?.created_at !== row.created_at);
  if (clash) {
    throw new PassportImportError(
      `User ${clash.id} already exists in Authgate and is not the Passport user with that id (created ${clash.created_at ?? 'at an unknown time'}).`,
    );
  }
  const taken = await trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where(sql<string>`lower(email)`, 'in', rows.map((row) => String(row.email).toLowerCase()))
    .where('id', 'not in', [...incoming.keys()])
    .executeTakeFirst();
  if (taken) {
    throw new PassportImportError(
      `The email ${taken.email} already belongs to Authgate user ${taken.id}, not to the Passport user with that email.`,
    );
  }
}

const clientsPlan: TablePlan<ClientInsert> = {
  table: 'oauth_clients',
  wanted: [
    'id', 'user_id', 'owner_id', 'name', 'secret', 'provider', 'redirect', 'redirect_uris', 'grant_types',
    'personal_access_client', 'password_client', 'revoked', 'created_at', 'updated_at',
  ],
  required: [['id'], ['name'], ['revoked'], ['redirect', 'redirect_uris']],
  map: toClient,
  async write(trx, rows, run) {
    const existing = await existingIds(trx, 'oauth_clients', rows.map((row) => row.id));
    for (const row of rows) {
      if (row.secret?.startsWith('$argon2')) {
        run.result.warnings.push(
          `Client ${row.id} has an Argon2-hashed secret, which Authgate cannot verify: it cannot authenticate until it is given a new secret.`,
        );
      }
    }
    await trx
      .insertInto('oauth_clients')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          name: eb.ref('excluded.name'),
          provider: eb.ref('excluded.provider'),
          redirect: eb.ref('excluded.redirect'),
          personal_access_client: eb.ref('excluded.personal_access_client'),
          password_client: eb.ref('excluded.password_client'),
          grant_types: eb.ref('excluded.grant_types'),
          updated_at: eb.ref('excluded.updated_at'),
          revoked: stickyRevoked('oauth_clients'),
          // Re-stored in Authgate's keyed form at its first use: keep that one.
          secret: sql<string>`case when ${sql.ref('oauth_clients.secret')} like ${HMAC_PREFIX} then ${sql.ref('oauth_clients.secret')} else ${sql.ref('excluded.secret')} end`,
        })),
      )
      .execute();
    run.result.stale.clientIds.push(...existing);
    if (run.deriveMarkers) await markDerived(trx, rows, run);
    return { inserted: rows.length - existing.length, updated: existing.length };
  },
};

/**
 * Passport 13 (and a database whose oauth_personal_access_clients table was dropped) knows its
 * personal access client only by its grant: record it as Passport ≤ 12 did, so Authgate issues
 * personal access tokens from the same client as before.
 */
async function markDerived(trx: Target, rows: ClientInsert[], run: ImportRun): Promise<void> {
  const personal = rows
    .filter((row) => row.personal_access_client === 1 && row.revoked === 0)
    .map((row) => ({ client_id: row.id, created_at: row.created_at ?? null, updated_at: row.updated_at ?? null }));
  const counts = await markPersonalAccessClients(trx, personal, run);
  run.result.tables.oauth_personal_access_clients.inserted += counts.inserted;
  run.result.tables.oauth_personal_access_clients.updated += counts.updated;
}

/** Revoked in either database stays revoked: a re-run must never bring a revoked token back. */
function stickyRevoked(table: 'oauth_clients' | 'oauth_access_tokens' | 'oauth_refresh_tokens') {
  return sql<number>`${sql.ref('excluded.revoked')} or ${sql.ref(`${table}.revoked`)}`;
}

/**
 * Passport ≤ 12 records its personal access client here. Matched by client, not by id: an
 * `authgate install` before the import has already used id 1 for Authgate's own client.
 */
const personalAccessClientsPlan: TablePlan<PersonalAccessClientInsert> = {
  table: 'oauth_personal_access_clients',
  wanted: ['id', 'client_id', 'created_at', 'updated_at'],
  required: [['id'], ['client_id']],
  map: toPersonalAccessClient,
  write: (trx, rows, run) => markPersonalAccessClients(trx, rows, run),
};

type PersonalMarker = Omit<PersonalAccessClientInsert, 'id'> & { id?: number };

async function markPersonalAccessClients(trx: Target, rows: PersonalMarker[], run: ImportRun): Promise<TableCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const marked = await trx
    .selectFrom('oauth_personal_access_clients')
    .select('client_id')
    .where('client_id', 'in', rows.map((row) => row.client_id))
    .execute();
  for (const row of marked) run.markedClients.add(row.client_id.trimEnd());
  const fresh = rows.filter((row) => !run.markedClients.has(row.client_id));
  for (const row of fresh) run.markedClients.add(row.client_id);
  const ids = fresh.flatMap((row) => (row.id === undefined ? [] : [row.id]));
  const taken = new Set(await existingIds(trx, 'oauth_personal_access_clients', ids));
  const keepId = fresh.filter((row) => row.id !== undefined && !taken.has(row.id));
  const newId = fresh.filter((row) => row.id === undefined || taken.has(row.id)).map(({ id: _id, ...row }) => row);
  if (keepId.length > 0) await trx.insertInto('oauth_personal_access_clients').values(keepId).execute();
  if (newId.length > 0) await trx.insertInto('oauth_personal_access_clients').values(newId).execute();
  return { inserted: fresh.length, updated: rows.length - fresh.length };
}

const accessTokensPlan: TablePlan<AccessTokenInsert> = {
  table: 'oauth_access_tokens',
  wanted: ['id', 'user_id', 'client_id', 'name', 'scopes', 'revoked', 'created_at', 'updated_at', 'expires_at'],
  required: [['id'], ['client_id'], ['revoked']],
  map: (row) => toAccessToken(row),
  async write(trx, rows, run) {
    const existing = await existingIds(trx, 'oauth_access_tokens', rows.map((row) => row.id));
    await trx
      .insertInto('oauth_access_tokens')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          scopes: eb.ref('excluded.scopes'),
          updated_at: eb.ref('excluded.updated_at'),
          expires_at: eb.ref('excluded.expires_at'),
          revoked: stickyRevoked('oauth_access_tokens'),
        })),
      )
      .execute();
    const revoked = new Set(rows.filter((row) => row.revoked === 1).map((row) => row.id));
    run.result.stale.tokenIds.push(...existing.filter((id) => revoked.has(id)));
    return { inserted: rows.length - existing.length, updated: existing.length };
  },
};

const refreshTokensPlan: TablePlan<RefreshTokenInsert> = {
  table: 'oauth_refresh_tokens',
  wanted: ['id', 'access_token_id', 'revoked', 'expires_at'],
  required: [['id'], ['access_token_id'], ['revoked']],
  map: (row) => toRefreshToken(row),
  async write(trx, rows) {
    const existing = await existingIds(trx, 'oauth_refresh_tokens', rows.map((row) => row.id));
    await trx
      .insertInto('oauth_refresh_tokens')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          expires_at: eb.ref('excluded.expires_at'),
          revoked: stickyRevoked('oauth_refresh_tokens'),
        })),
      )
      .execute();
    return { inserted: rows.length - existing.length, updated: existing.length };
  },
};

// Users and clients first: tokens name them.
export const PLANS = [usersPlan, clientsPlan, personalAccessClientsPlan, accessTokensPlan, refreshTokensPlan];

async function existingIds<T extends string | number>(
  trx: Target,
  table: 'oauth_clients' | 'oauth_access_tokens' | 'oauth_refresh_tokens' | 'oauth_personal_access_clients',
  ids: T[],
): Promise<T[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom(table)
    .select('id')
    .where('id', 'in', ids as never[])
    .execute();
  // char(36) client ids come back space-padded from PostgreSQL when shorter (integer ids).
  return rows.map((row) => (typeof row.id === 'string' ? row.id.trimEnd() : row.id) as T);
}

