import type { Command } from 'commander';
import type { InitialAccessToken } from '../oauth/ports.js';
import { jsonTime } from '../presenters/json-time.js';
import { print, printJson, readConfig, withAdministration } from './context.js';
import { formatTable } from './table.js';

export function registerRegistrationTokenList(program: Command): void {
  program
    .command('registration-token:list')
    .description('List the initial access tokens of dynamic client registration (their ids, never the tokens)')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const tokens = await withAdministration(readConfig(), (admin) => admin.registrationTokens.list());
      if (options.json) {
        printJson(tokens.map(presentToken));
        return;
      }
      if (tokens.length === 0) {
        print('No initial access tokens. Create one with "authgate registration-token:create".');
        return;
      }
      const now = Date.now();
      print(
        formatTable(
          ['ID', 'Name', 'Created', 'Expires', 'State'],
          tokens.map((token) => [
            token.id,
            token.name ?? '',
            token.createdAt.toISOString(),
            token.expiresAt?.toISOString() ?? 'never',
            token.revoked ? 'revoked' : token.expiresAt && token.expiresAt.getTime() <= now ? 'expired' : 'live',
          ]),
        ),
      );
    });
}

function presentToken(token: InitialAccessToken) {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked,
    created_at: jsonTime(token.createdAt),
    expires_at: jsonTime(token.expiresAt),
  };
}
