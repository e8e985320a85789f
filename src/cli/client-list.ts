import type { Command } from 'commander';
import { clientKind, presentClient } from './client-json.js';
import { print, printJson, readConfig, withAdministration } from './context.js';
import { formatTable } from './table.js';

export function registerClientList(program: Command): void {
  program
    .command('client:list')
    .description('List the OAuth clients (never their secrets)')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const clients = await withAdministration(readConfig(), (admin) => admin.listClients());
      if (options.json) {
        printJson(clients.map(presentClient));
        return;
      }
      if (clients.length === 0) {
        print('No clients. Create one with "authgate client:create".');
        return;
      }
      print(
        formatTable(
          ['ID', 'Name', 'Type', 'Origin', 'Secret', 'User', 'Redirect URIs', 'Revoked'],
          clients.map((client) => [
            client.id,
            client.name,
            clientKind(client),
            client.origin ?? '',
            client.secretHash === null ? 'public' : 'confidential',
            client.userId === null ? '' : String(client.userId),
            client.redirectUris.join(', '),
            client.revoked ? 'yes' : 'no',
          ]),
        ),
      );
    });
}
