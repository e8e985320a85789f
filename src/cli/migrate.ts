import type { Command } from 'commander';
import type { Config } from '../config.js';
import { migrateToLatest, openDatabase } from '../storage/database.js';
import { print, readConfig } from './context.js';

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
  const database = openDatabase(config.databaseUrl);
  try {
    const applied = await migrateToLatest(database);
    if (applied.length === 0) print('Nothing to migrate.');
    for (const name of applied) print(`Migrated: ${name}`);
    return applied;
  } finally {
    await database.close();
  }
}
