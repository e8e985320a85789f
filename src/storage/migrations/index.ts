import type { Migration, MigrationProvider } from 'kysely';
import * as passportTables from './2026-11-23-000001-passport-tables.js';
import * as resourcesAndGrants from './2026-11-30-000001-resources-and-grants.js';

/** Migrations are listed here (not read from a folder) so they run the same from src/ and dist/. */
const migrations: Record<string, Migration> = {
  '2026-11-23-000001-passport-tables': passportTables,
  '2026-11-30-000001-resources-and-grants': resourcesAndGrants,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
