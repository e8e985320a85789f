import type { Command } from 'commander';
import { Option } from 'commander';
import { wholeNumber } from './arguments.js';
import { print, printJson, readConfig, withAdministration } from './context.js';

interface PurgeCommandOptions {
  revoked?: boolean;
  expired?: boolean;
  hours?: number;
  json?: boolean;
}

const DEFAULT_HOURS = 7 * 24;

export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('Delete revoked and/or expired tokens and codes (both without a flag)')
    .option('--revoked', 'only revoked tokens and codes')
    .option('--expired', 'only expired tokens and codes')
    .addOption(
      new Option('--hours <n>', `hours to keep expired items (default ${DEFAULT_HOURS})`).argParser(wholeNumber(0, 1_000_000)),
    )
    .option('--json', 'print the counts as one JSON object')
    .action(async (options: PurgeCommandOptions) => {
      const hours = options.hours ?? DEFAULT_HOURS;
      // An expired access token whose refresh token is still live is kept: the refresh grant reads it.
      const counts = await withAdministration(readConfig(), (admin) =>
        admin.purge({ revoked: options.revoked, expired: options.expired, olderThanHours: hours }),
      );
      if (options.json) {
        printJson({
          access_tokens: counts.accessTokens,
          refresh_tokens: counts.refreshTokens,
          auth_codes: counts.authCodes,
          device_codes: counts.deviceCodes,
        });
        return;
      }
      print(headline(options, hours));
      print(
        `Access tokens: ${counts.accessTokens}, refresh tokens: ${counts.refreshTokens}, ` +
          `authorization codes: ${counts.authCodes}, device codes: ${counts.deviceCodes}.`,
      );
    });
}

/** Passport's `passport:purge` messages. */
function headline(options: PurgeCommandOptions, hours: number): string {
  const both = Boolean(options.revoked) === Boolean(options.expired);
  if (both) return `Purged revoked items and items expired for more than ${hours} hours.`;
  if (options.revoked) return 'Purged revoked items.';
  return `Purged items expired for more than ${hours} hours.`;
}
