import type { Command } from 'commander';
import { presentResource } from '../presenters/resource.js';
import { print, printJson, readConfig, withAdministration } from './context.js';
import { formatTable } from './table.js';

export function registerResourceList(program: Command): void {
  program
    .command('resource:list')
    .description('List the registered resource servers')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const resources = await withAdministration(readConfig(), (admin) => admin.resources.list());
      if (options.json) {
        printJson(resources.map(presentResource));
        return;
      }
      if (resources.length === 0) {
        print('No resources. Register one with "authgate resource:create --uri … --name …".');
        return;
      }
      print(
        formatTable(
          ['ID', 'URI', 'Name', 'Scopes', 'Token TTL', 'User'],
          resources.map((resource) => [
            resource.id,
            resource.uri,
            resource.name,
            resource.scopes?.join(' ') ?? '(any)',
            resource.tokenTtl === null ? '' : `${resource.tokenTtl}s`,
            resource.userId === null ? '' : String(resource.userId),
          ]),
        ),
      );
    });
}
