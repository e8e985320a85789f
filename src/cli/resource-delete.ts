import type { Command } from 'commander';
import { UsageError, print, printJson, readConfig, withAdministration } from './context.js';

export function registerResourceDelete(program: Command): void {
  program
    .command('resource:delete')
    .description('Delete a resource server; tokens already issued for it stay valid until they expire')
    .argument('<resource>', 'the resource URI or id')
    .option('--json', 'print {"deleted": id}')
    .action(async (resource: string, options: { json?: boolean }) => {
      const deleted = await withAdministration(readConfig(), async (admin) => {
        const found = await admin.resources.find(resource);
        if (!found) throw new UsageError(`There is no resource ${resource}.`);
        await admin.resources.delete(found.id);
        return found;
      });
      if (options.json) printJson({ deleted: deleted.id, uri: deleted.uri });
      else print(`Resource ${deleted.uri} deleted.`);
    });
}
