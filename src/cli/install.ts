import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { generateSigningKeys } from '../services.js';
import { print, readConfig, withServices } from './context.js';
import { migrate } from './migrate.js';

export function registerInstall(program: Command): void {
  program
    .command('install')
    .description('Migrate, create the signing keys and APP_KEY when absent, and the personal access client')
    .action(async () => {
      await install(readConfig());
    });
}

/** Every step leaves what exists alone, so running install again changes nothing. */
async function install(config: Config): Promise<void> {
  await migrate(config);
  await ensureKeys(config);
  const appKeyNote = config.appKey
    ? 'Application key comes from APP_KEY.'
    : existsSync(join(config.storagePath, 'app.key'))
      ? 'Application key already exists.'
      : `Application key generated into ${join(config.storagePath, 'app.key')}.`;
  await withServices(config, { generateSecrets: true, migrate: false }, async (services) => {
    print(appKeyNote);
    const { client, created } = await services.personalAccess.ensureClient();
    print(
      created
        ? `Personal access client created successfully. Client ID: ${client.id}`
        : `Personal access client already exists. Client ID: ${client.id}`,
    );
  });
}

async function ensureKeys(config: Config): Promise<void> {
  if (config.oauthPrivateKey) {
    print('Encryption keys come from OAUTH_PRIVATE_KEY.');
    return;
  }
  const result = await generateSigningKeys(config, {});
  print(result.status === 'exists' ? 'Encryption keys already exist.' : 'Encryption keys generated successfully.');
}
