import type { Command } from 'commander';
import type { ImportedTable, PassportImportResult } from '../services.js';
import { IMPORTED_TABLES, PassportImportFailure, importPassportDatabase } from '../services.js';
import { CommandFailure, UsageError, print, printJson, readConfig, warn } from './context.js';
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
      const run = await importPassportDatabase(readConfig(), sourceUrl).catch((error: unknown) => {
        if (error instanceof PassportImportFailure) throw error.kind === 'usage' ? new UsageError(error.message) : new CommandFailure(error.message);
        throw error;
      });
      if (run.cacheWarning) warn(`Note: ${run.cacheWarning}`);
      report(run.source, run.result, options.json ?? false);
    });
}

function report(source: string, result: PassportImportResult, json: boolean): void {
  const notes = [
    KEY_REMINDER,
    ...(refreshTokensSeen(result) ? [REFRESH_NOTE] : []),
    ...result.warnings.map((warning) => `Warning: ${warning}`),
  ];
  if (json) {
    printJson({
      source,
      tables: result.tables,
      skipped: result.skipped,
      warnings: result.warnings,
    });
    for (const note of notes) warn(note);
    return;
  }
  print(`Imported from ${source}:`);
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
