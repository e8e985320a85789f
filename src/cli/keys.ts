import type { Command } from 'commander';
import { Option } from 'commander';
import type { KeyType } from '../oauth/signing-keys.js';
import { generateSigningKeys } from '../services.js';
import { wholeNumber } from './arguments.js';
import { CommandFailure, UsageError, print, readConfig, warn } from './context.js';

interface KeysOptions {
  force?: boolean;
  rotate?: boolean;
  bits?: number;
  type?: KeyType;
}

export function registerKeys(program: Command): void {
  program
    .command('keys')
    .description('Create the signing keys (storage/oauth-private.key, oauth-public.key)')
    .option('--force', 'overwrite existing keys (tokens they signed stop validating)')
    .option('--rotate', 'make a new active key and keep the current public key to validate live tokens')
    .addOption(new Option('--bits <n>', 'RSA modulus length (implies --type rsa)').argParser(wholeNumber(2048, 16384)))
    .addOption(new Option('--type <type>', 'key type (default ec: P-256, ES256)').choices(['ec', 'rsa', 'ed25519']))
    .action(async (options: KeysOptions) => {
      await keys(options);
    });
}

async function keys(options: KeysOptions): Promise<void> {
  if (options.bits !== undefined && options.type !== undefined && options.type !== 'rsa') {
    throw new UsageError(`--bits applies to RSA keys only, not to --type ${options.type}.`);
  }
  const config = readConfig();
  const result = await generateSigningKeys(config, {
    force: options.force ?? false,
    rotate: options.rotate ?? false,
    ...(options.type ? { type: options.type } : {}),
    ...(options.bits !== undefined ? { rsaBits: options.bits } : {}),
  });
  // Passport's wording and exit status for `passport:keys` without --force.
  if (result.status === 'exists') {
    throw new CommandFailure('Encryption keys already exist. Use the --force option to overwrite them.');
  }
  print('Encryption keys generated successfully.');
  print(`Active key: ${result.kid}`);
  if (result.status === 'rotated' && result.retiredKid) {
    print(`Retired key ${result.retiredKid} still validates the tokens it signed.`);
  }
  if (config.oauthPrivateKey) {
    warn('Note: OAUTH_PRIVATE_KEY is set, so the server signs with it and not with these files.');
  }
  if (options.force || options.rotate) print('Restart every Authgate process to sign with the new key.');
}
