import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';

// Migrations never import application code: they describe tables as they were on the day.
// What issue-8-era Authgate adds beyond Passport's tables: resource servers (RFC 8707), the
// audience of tokens, codes and device codes, client ID metadata documents and dynamically
// registered clients (client ids that are URLs), grants revoked for replay, and the moment a
// refresh token was rotated (the reuse interval).

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees no typed schema
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Client ids may now be URLs (client ID metadata documents), no longer only UUIDs. */
const CLIENT_ID_COLUMNS: [string, string][] = [
  ['oauth_clients', 'id'],
  ['oauth_access_tokens', 'client_id'],
  ['oauth_auth_codes', 'client_id'],
  ['oauth_device_codes', 'client_id'],
  ['oauth_personal_access_clients', 'client_id'],
];

export async function up(db: Db): Promise<void> {
  const postgres = isPostgres(db);
  const ts = postgres ? 'timestamp(0)' : 'text';
  // SQLite does not enforce declared lengths; PostgreSQL's char(36) must widen.
  if (postgres) {
    for (const [table, column] of CLIENT_ID_COLUMNS) {
      await db.schema.alterTable(table).alterColumn(column, (c) => c.setDataType('varchar(255)')).execute();
    }
  }

  await db.schema
    .createTable('oauth_resources')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('uri', 'varchar(2048)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('scopes', 'text')
    .addColumn('token_ttl', 'integer')
    .addColumn('user_id', 'bigint')
    .addColumn('created_at', sql.raw(ts))
    .addColumn('updated_at', sql.raw(ts))
    .execute();
  await db.schema.createIndex('oauth_resources_user_id_index').on('oauth_resources').column('user_id').execute();

  // JSON arrays of resource URIs (RFC 8707); null means no resource was asked for (aud = client id).
  await db.schema.alterTable('oauth_access_tokens').addColumn('resources', 'text').execute();
  await db.schema.alterTable('oauth_auth_codes').addColumn('resources', 'text').execute();
  await db.schema.alterTable('oauth_device_codes').addColumn('resources', 'text').execute();

  await db.schema.alterTable('oauth_refresh_tokens').addColumn('consumed_at', sql.raw(ts)).execute();

  // `cimd` (a client ID metadata document) or `dynamic` (RFC 7591); null for every other client.
  await db.schema.alterTable('oauth_clients').addColumn('origin', 'varchar(16)').execute();
  // JSON: client_uri, logo_uri and the other registered metadata shown on the consent page.
  await db.schema.alterTable('oauth_clients').addColumn('metadata', 'text').execute();
  // SHA-256 of the RFC 7592 registration access token.
  await db.schema.alterTable('oauth_clients').addColumn('registration_token', 'varchar(100)').execute();

  // RFC 9700 §4.14: a grant revoked for replay stays revoked for tokens written to it afterwards.
  await db.schema
    .createTable('oauth_revoked_grants')
    .addColumn('grant_id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('revoked_at', sql.raw(ts))
    .execute();

  // Initial access tokens for dynamic registration (RFC 7591 §3), stored as SHA-256.
  await db.schema
    .createTable('oauth_registration_tokens')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)')
    .addColumn('revoked', postgres ? 'boolean' : 'integer', (c) => c.notNull().defaultTo(postgres ? sql`false` : sql`0`))
    .addColumn('created_at', sql.raw(ts))
    .addColumn('expires_at', sql.raw(ts))
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of ['oauth_registration_tokens', 'oauth_revoked_grants', 'oauth_resources']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  for (const [table, column] of [
    ['oauth_clients', 'registration_token'],
    ['oauth_clients', 'metadata'],
    ['oauth_clients', 'origin'],
    ['oauth_refresh_tokens', 'consumed_at'],
    ['oauth_device_codes', 'resources'],
    ['oauth_auth_codes', 'resources'],
    ['oauth_access_tokens', 'resources'],
  ] as const) {
    await db.schema.alterTable(table).dropColumn(column).execute();
  }
}
