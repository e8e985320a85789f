import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SourceRow } from '../../src/storage/passport-source.js';
import { openPassportSource, parseSourceUrl } from '../../src/storage/passport-source.js';
import { POSTGRES_URL, uniqueName } from '../helpers/services.js';

/**
 * A Laravel Passport database to import from, in its own MariaDB database, PostgreSQL
 * database or SQLite file, dropped on close. The DDL is what Laravel 11's schema grammars
 * emit for the default users/sessions migration and Passport 12's migrations (published with
 * `passport:install --uuids`).
 */
export type SourceKind = 'mysql' | 'postgres' | 'sqlite';

export const MYSQL_URL = process.env.TEST_MYSQL_URL;

export interface PassportFixture {
  kind: SourceKind;
  url: string;
  db: Kysely<Record<string, SourceRow>>;
  exec(statements: string[]): Promise<void>;
  close(): Promise<void>;
}

const MYSQL_TABLE_OPTIONS = "default character set utf8mb4 collate 'utf8mb4_unicode_ci'";

export const PASSPORT_12_DDL: Record<SourceKind, string[]> = {
  mysql: [
    `create table \`users\` (\`id\` bigint unsigned not null auto_increment primary key, \`name\` varchar(255) not null, \`email\` varchar(255) not null, \`email_verified_at\` timestamp null, \`password\` varchar(255) not null, \`remember_token\` varchar(100) null, \`created_at\` timestamp null, \`updated_at\` timestamp null) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `users` add unique `users_email_unique`(`email`)',
    `create table \`sessions\` (\`id\` varchar(255) not null, \`user_id\` bigint unsigned null, \`ip_address\` varchar(45) null, \`user_agent\` text null, \`payload\` longtext not null, \`last_activity\` int not null, primary key (\`id\`)) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `sessions` add index `sessions_user_id_index`(`user_id`)',
    'alter table `sessions` add index `sessions_last_activity_index`(`last_activity`)',
    `create table \`oauth_auth_codes\` (\`id\` varchar(100) not null, \`user_id\` bigint unsigned not null, \`client_id\` char(36) not null, \`scopes\` text null, \`revoked\` tinyint(1) not null, \`expires_at\` datetime null, primary key (\`id\`)) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `oauth_auth_codes` add index `oauth_auth_codes_user_id_index`(`user_id`)',
    `create table \`oauth_access_tokens\` (\`id\` varchar(100) not null, \`user_id\` bigint unsigned null, \`client_id\` char(36) not null, \`name\` varchar(255) null, \`scopes\` text null, \`revoked\` tinyint(1) not null, \`created_at\` timestamp null, \`updated_at\` timestamp null, \`expires_at\` datetime null, primary key (\`id\`)) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `oauth_access_tokens` add index `oauth_access_tokens_user_id_index`(`user_id`)',
    `create table \`oauth_refresh_tokens\` (\`id\` varchar(100) not null, \`access_token_id\` varchar(100) not null, \`revoked\` tinyint(1) not null, \`expires_at\` datetime null, primary key (\`id\`)) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `oauth_refresh_tokens` add index `oauth_refresh_tokens_access_token_id_index`(`access_token_id`)',
    `create table \`oauth_clients\` (\`id\` char(36) not null, \`user_id\` bigint unsigned null, \`name\` varchar(255) not null, \`secret\` varchar(100) null, \`provider\` varchar(255) null, \`redirect\` text not null, \`personal_access_client\` tinyint(1) not null, \`password_client\` tinyint(1) not null, \`revoked\` tinyint(1) not null, \`created_at\` timestamp null, \`updated_at\` timestamp null, primary key (\`id\`)) ${MYSQL_TABLE_OPTIONS}`,
    'alter table `oauth_clients` add index `oauth_clients_user_id_index`(`user_id`)',
    `create table \`oauth_personal_access_clients\` (\`id\` bigint unsigned not null auto_increment primary key, \`client_id\` char(36) not null, \`created_at\` timestamp null, \`updated_at\` timestamp null) ${MYSQL_TABLE_OPTIONS}`,
  ],
  postgres: [
    'create table "users" ("id" bigserial not null primary key, "name" varchar(255) not null, "email" varchar(255) not null, "email_verified_at" timestamp(0) without time zone null, "password" varchar(255) not null, "remember_token" varchar(100) null, "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null)',
    'alter table "users" add constraint "users_email_unique" unique ("email")',
    'create table "sessions" ("id" varchar(255) not null, "user_id" bigint null, "ip_address" varchar(45) null, "user_agent" text null, "payload" text not null, "last_activity" integer not null, primary key ("id"))',
    'create index "sessions_user_id_index" on "sessions" ("user_id")',
    'create index "sessions_last_activity_index" on "sessions" ("last_activity")',
    'create table "oauth_auth_codes" ("id" varchar(100) not null, "user_id" bigint not null, "client_id" uuid not null, "scopes" text null, "revoked" boolean not null, "expires_at" timestamp(0) without time zone null, primary key ("id"))',
    'create index "oauth_auth_codes_user_id_index" on "oauth_auth_codes" ("user_id")',
    'create table "oauth_access_tokens" ("id" varchar(100) not null, "user_id" bigint null, "client_id" uuid not null, "name" varchar(255) null, "scopes" text null, "revoked" boolean not null, "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null, "expires_at" timestamp(0) without time zone null, primary key ("id"))',
    'create index "oauth_access_tokens_user_id_index" on "oauth_access_tokens" ("user_id")',
    'create table "oauth_refresh_tokens" ("id" varchar(100) not null, "access_token_id" varchar(100) not null, "revoked" boolean not null, "expires_at" timestamp(0) without time zone null, primary key ("id"))',
    'create index "oauth_refresh_tokens_access_token_id_index" on "oauth_refresh_tokens" ("access_token_id")',
    'create table "oauth_clients" ("id" uuid not null, "user_id" bigint null, "name" varchar(255) not null, "secret" varchar(100) null, "provider" varchar(255) null, "redirect" text not null, "personal_access_client" boolean not null, "password_client" boolean not null, "revoked" boolean not null, "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null, primary key ("id"))',
    'create index "oauth_clients_user_id_index" on "oauth_clients" ("user_id")',
    'create table "oauth_personal_access_clients" ("id" bigserial not null primary key, "client_id" uuid not null, "created_at" timestamp(0) without time zone null, "updated_at" timestamp(0) without time zone null)',
  ],
  sqlite: [
    'create table "users" ("id" integer primary key autoincrement not null, "name" varchar not null, "email" varchar not null, "email_verified_at" datetime, "password" varchar not null, "remember_token" varchar, "created_at" datetime, "updated_at" datetime)',
    'create unique index "users_email_unique" on "users" ("email")',
    'create table "sessions" ("id" varchar not null, "user_id" integer, "ip_address" varchar, "user_agent" text, "payload" text not null, "last_activity" integer not null, primary key ("id"))',
    'create table "oauth_auth_codes" ("id" varchar not null, "user_id" integer not null, "client_id" varchar not null, "scopes" text, "revoked" tinyint(1) not null, "expires_at" datetime, primary key ("id"))',
    'create table "oauth_access_tokens" ("id" varchar not null, "user_id" integer, "client_id" varchar not null, "name" varchar, "scopes" text, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime, "expires_at" datetime, primary key ("id"))',
    'create index "oauth_access_tokens_user_id_index" on "oauth_access_tokens" ("user_id")',
    'create table "oauth_refresh_tokens" ("id" varchar not null, "access_token_id" varchar not null, "revoked" tinyint(1) not null, "expires_at" datetime, primary key ("id"))',
    'create table "oauth_clients" ("id" varchar not null, "user_id" integer, "name" varchar not null, "secret" varchar, "provider" varchar, "redirect" text not null, "personal_access_client" tinyint(1) not null, "password_client" tinyint(1) not null, "revoked" tinyint(1) not null, "created_at" datetime, "updated_at" datetime, primary key ("id"))',
    'create table "oauth_personal_access_clients" ("id" integer primary key autoincrement not null, "client_id" varchar not null, "created_at" datetime, "updated_at" datetime)',
  ],
};

/** An empty database of the given kind; `exec` runs DDL, `db` inserts rows. */
export async function createPassportDatabase(kind: SourceKind): Promise<PassportFixture> {
  const name = uniqueName('passport_import');
  let url: string;
  let drop: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'passport-source-'));
    const file = join(dir, 'passport.sqlite');
    url = `sqlite:${file}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else if (kind === 'mysql') {
    url = withDatabase(MYSQL_URL, name);
    await onMysqlServer(`create database \`${name}\``);
    drop = () => onMysqlServer(`drop database if exists \`${name}\``);
  } else {
    url = withDatabase(POSTGRES_URL, name);
    await onPostgresServer(`create database "${name}"`);
    drop = () => onPostgresServer(`drop database if exists "${name}" with (force)`);
  }
  // The importer opens SQLite read-only; the fixture writes through a connection of its own.
  const db =
    kind === 'sqlite'
      ? new Kysely<Record<string, SourceRow>>({ dialect: new SqliteDialect({ database: new SQLite(url.slice('sqlite:'.length)) }) })
      : openPassportSource(parseSourceUrl(url)).db;
  return {
    kind,
    url,
    db,
    async exec(statements) {
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
    async close() {
      await db.destroy();
      await drop();
    },
  };
}

function withDatabase(serverUrl: string | undefined, name: string): string {
  if (!serverUrl) throw new Error('no server URL for this source kind');
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onMysqlServer(statement: string): Promise<void> {
  const connection = await mysql.createConnection(MYSQL_URL ?? '');
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
}

async function onPostgresServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
