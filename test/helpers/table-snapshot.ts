import { createHash } from 'node:crypto';
import type { Storage } from '../../src/storage/open-storage.js';

/** Every table Authgate writes, for before/after comparisons. */
const TABLES = [
  'users',
  'oauth_clients',
  'oauth_access_tokens',
  'oauth_refresh_tokens',
  'oauth_auth_codes',
  'oauth_device_codes',
  'oauth_personal_access_clients',
  'oauth_resources',
  'oauth_revoked_grants',
  'oauth_registration_tokens',
] as const;

/** A digest of every row of every table (sessions excepted: visiting a page may start one). */
export async function tableChecksums(storage: Storage): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const table of TABLES) {
    const rows = await storage.database.db.selectFrom(table).selectAll().execute();
    const lines = rows.map((row) => JSON.stringify(row)).sort();
    sums[table] = `${rows.length}:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
  }
  return sums;
}
