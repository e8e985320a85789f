import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';

// Migrations never import application code: they describe tables as they were on the day.
// The same builder calls run on SQLite and PostgreSQL; the only branch is the auto-increment id.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees no typed schema
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const FALSE = sql`0`;

export async function up(db: Db): Promise<void> {
  const postgres = isPostgres(db);
  const ts = postgres ? 'timestamp(0)' : 'text';
  const flag = postgres ? 'boolean' : 'integer';
  const flagDefault = postgres ? sql`false` : FALSE;

  await db.schema
    .createTable('users')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('email_verified_at', sql.raw(ts))
    .addColumn('password', 'varchar(255)', (c) => c.notNull())
    .addColumn('remember_token', 'varchar(100)')
    .addColumn('created_at', sql.raw(ts))
    .addColumn('updated_at', sql.raw(ts))
    .execute();

  await db.schema
    .createTable('oauth_clients')
    .addColumn('id', 'char(36)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint')
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('secret', 'varchar(100)')
    .addColumn('provider', 'varchar(255)')
    .addColumn('redirect', 'text', (c) => c.notNull())
    .addColumn('personal_access_client', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('password_client', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('revoked', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('skips_authorization', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('grant_types', 'text')
    .addColumn('created_at', sql.raw(ts))
    .addColumn('updated_at', sql.raw(ts))
    .execute();
  await db.schema.createIndex('oauth_clients_user_id_index').on('oauth_clients').column('user_id').execute();

  await db.schema
    .createTable('oauth_access_tokens')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint')
    .addColumn('client_id', 'char(36)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)')
    .addColumn('scopes', 'text')
    .addColumn('revoked', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('created_at', sql.raw(ts))
    .addColumn('updated_at', sql.raw(ts))
    .addColumn('expires_at', sql.raw(ts))
    .addColumn('grant_id', 'varchar(100)')
    .execute();
  await db.schema.createIndex('oauth_access_tokens_user_id_index').on('oauth_access_tokens').column('user_id').execute();
  await db.schema.createIndex('oauth_access_tokens_client_id_index').on('oauth_access_tokens').column('client_id').execute();
  await db.schema.createIndex('oauth_access_tokens_grant_id_index').on('oauth_access_tokens').column('grant_id').execute();

  await db.schema
    .createTable('oauth_refresh_tokens')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('access_token_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('revoked', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('expires_at', sql.raw(ts))
    .addColumn('grant_id', 'varchar(100)')
    .execute();
  await db.schema
    .createIndex('oauth_refresh_tokens_access_token_id_index')
    .on('oauth_refresh_tokens')
    .column('access_token_id')
    .execute();
  await db.schema.createIndex('oauth_refresh_tokens_grant_id_index').on('oauth_refresh_tokens').column('grant_id').execute();

  await db.schema
    .createTable('oauth_auth_codes')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('client_id', 'char(36)', (c) => c.notNull())
    .addColumn('scopes', 'text')
    .addColumn('revoked', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('expires_at', sql.raw(ts))
    .addColumn('redirect_uri', 'text')
    .addColumn('code_challenge', 'varchar(128)')
    .addColumn('code_challenge_method', 'varchar(10)')
    .addColumn('nonce', 'text')
    .addColumn('auth_time', 'bigint')
    .execute();
  await db.schema.createIndex('oauth_auth_codes_user_id_index').on('oauth_auth_codes').column('user_id').execute();

  await db.schema
    .createTable('oauth_device_codes')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint')
    .addColumn('client_id', 'char(36)', (c) => c.notNull())
    .addColumn('user_code', 'varchar(20)', (c) => c.notNull().unique())
    .addColumn('scopes', 'text')
    .addColumn('revoked', sql.raw(flag), (c) => c.notNull().defaultTo(flagDefault))
    .addColumn('user_approved_at', sql.raw(ts))
    .addColumn('last_polled_at', sql.raw(ts))
    .addColumn('expires_at', sql.raw(ts))
    .execute();

  await db.schema
    .createTable('oauth_personal_access_clients')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('client_id', 'char(36)', (c) => c.notNull())
    .addColumn('created_at', sql.raw(ts))
    .addColumn('updated_at', sql.raw(ts))
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint')
    .addColumn('ip_address', 'varchar(45)')
    .addColumn('user_agent', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('last_activity', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id_index').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_last_activity_index').on('sessions').column('last_activity').execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    'sessions',
    'oauth_personal_access_clients',
    'oauth_device_codes',
    'oauth_auth_codes',
    'oauth_refresh_tokens',
    'oauth_access_tokens',
    'oauth_clients',
    'users',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
