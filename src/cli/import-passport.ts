import type { Command } from 'commander';
import type { Config } from '../config.js';
import { createCache } from '../cache/create-cache.js';
import { cacheKeys } from '../oauth/state-cache.js';
import type { ImportedTable, PassportImportResult } from '../storage/passport-import.js';
import { IMPORTED_TABLES, PassportImportError, importPassport } from '../storage/passport-import.js';
import type { PassportSource, SourceLocation } from '../storage/passport-source.js';
import { SourceUrlError, openPassportSource, parseSourceUrl, sourceTables } from '../storage/passport-source.js';
import { CommandFailure, UsageError, print, printJson, readConfig, warn, withStorage } from './context.js';
import { formatTable } from './table.js';

const SKIP_REASONS: Record<string, string> = {
  oauth_auth_codes: 'authorization codes live for minutes; those logins start again',
  oauth_device_codes: 'device codes live for minutes; those devices ask again',
  sessions: 'users log in again',
};

const KEY_REMINDER =
  "Copy Passport's storage/oauth-private.key and storage/oauth-public.key into Authgate's storage/ " +
  '(private key mode 0600), or set OAUTH_PRIVATE_KEY and OAUTH_PUBLIC_KEY, so the access tokens Passport ' +
  'issued keep validating (Authgate signs with an RSA key as RS256, as Passport did).';

const REFRESH_NOTE =
  'Refresh tokens issued by Passport cannot be redeemed at Authgate: clients hold them encrypted with ' +
  "Laravel's APP_KEY. Their rows are kept (hashed); those clients send their users through the login again " +
  'when the access token expires.';

export function registerImportPassport(program: Command): void {
  program
    .command('import:passport')
    .description("Copy a Laravel Passport database's users, clients and tokens into Authgate's database (safe to re-run)")
    .argument('<source>', 'the Passport database: mysql://user:pass@host:3306/db, postgres://… or sqlite:<path>')
    .option('--json', 'print the counts as one JSON object')
    .action(async (sourceUrl: string, options: { json?: boolean }) => {
      const location = parseLocation(sourceUrl);
      const config = readConfig();
      const source = openPassportSource(location);
      try {
        const result = await runImport(source, location, config);
        await forgetStale(config, result);
        report(location, result, options.json ?? false);
      } finally {
        await source.close();
      }
    });
}

function parseLocation(sourceUrl: string): SourceLocation {
  try {
    return parseSourceUrl(sourceUrl);
  } catch (error) {
    if (error instanceof SourceUrlError) throw new UsageError(error.message);
    throw error;
  }
}

/** The source is read before the target is opened: an unreachable source changes nothing. */
async function runImport(source: PassportSource, location: SourceLocation, config: Config): Promise<PassportImportResult> {
  let tables: Awaited<ReturnType<typeof sourceTables>>;
  try {
    tables = await sourceTables(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommandFailure(`Cannot read the Passport database ${location.display}: ${reason || 'connection failed'}`);
  }
  try {
    return await withStorage(config, ({ database }) => importPassport(source, tables, database));
  } catch (error) {
    if (error instanceof PassportImportError) throw new CommandFailure(`${error.message} Nothing was imported.`);
    throw error;
  }
}

/**
 * Authgate nodes sharing Redis cache client records and token states: rows this run changed
 * are forgotten there, so a revocation brought over from Passport takes effect at once.
 * (Without Redis each process caches in memory: restart running processes after a re-run.)
 */
async function forgetStale(config: Config, result: PassportImportResult): Promise<void> {
  const keys = [...result.stale.clientIds.map(cacheKeys.client), ...result.stale.tokenIds.map(cacheKeys.token)];
  if (!config.redisUrl || keys.length === 0) return;
  const cache = createCache({ redisUrl: config.redisUrl, prefix: `${config.redisPrefix}cache:` });
  try {
    for (let start = 0; start < keys.length; start += 100) {
      await Promise.all(keys.slice(start, start + 100).map((key) => cache.forget(key)));
    }
  } catch (error) {
    warn(`Note: the import is complete, but cached entries in Redis could not be cleared (${String(error)}); restart Authgate.`);
  } finally {
    await cache.close();
  }
}

function report(location: SourceLocation, result: PassportImportResult, json: boolean): void {
  const notes = [
    KEY_REMINDER,
    ...(refreshTokensSeen(result) ? [REFRESH_NOTE] : []),
    ...result.warnings.map((warning) => `Warning: ${warning}`),
  ];
  if (json) {
    printJson({
      source: location.display,
      tables: result.tables,
      skipped: result.skipped,
      warnings: result.warnings,
    });
    for (const note of notes) warn(note);
    return;
  }
  print(`Imported from ${location.display}:`);
  print(
    formatTable(
      ['Table', 'New', 'Updated'],
      IMPORTED_TABLES.map((table: ImportedTable) => [
        table,
        String(result.tables[table].inserted),
        String(result.tables[table].updated),
      ]),
    ),
  );
  for (const table of result.skipped) print(`Not imported: ${table} (${SKIP_REASONS[table] ?? 'not needed'}).`);
  for (const note of notes) print(note);
}

function refreshTokensSeen(result: PassportImportResult): boolean {
  const counts = result.tables.oauth_refresh_tokens;
  return counts.inserted + counts.updated > 0;
}
