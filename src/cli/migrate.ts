import type { Command } from 'commander';
import type { Config } from '../config.js';
import { print, readConfig, withAdministration } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations')
    .action(async () => {
      await migrate(readConfig());
    });
}

/** Applies pending migrations and prints each one that ran (Laravel's "Nothing to migrate." otherwise). */
export async function migrate(config: Config): Promise<string[]> {
  return withAdministration(
    config,
    async (admin) => {
      const applied = await admin.migrate();
      if (applied.length === 0) print('Nothing to migrate.');
      for (const name of applied) print(`Migrated: ${name}`);
      return applied;
    },
    { migrate: false },
  );
}
