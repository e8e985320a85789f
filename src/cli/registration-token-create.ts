import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../duration.js';
import { jsonTime } from '../presenters/json-time.js';
import { print, printJson, readConfig, warn, withAdministration } from './context.js';

interface RegistrationTokenCreateOptions {
  name?: string;
  expires?: number;
  json?: boolean;
}

export function registerRegistrationTokenCreate(program: Command): void {
  program
    .command('registration-token:create')
    .description('Create an initial access token for dynamic client registration (OAUTH_DYNAMIC_REGISTRATION=token); shown only once')
    .addOption(new Option('--name <name>', 'what the token is for (shown by registration-token:list)').argParser(tokenName))
    .addOption(new Option('--expires <duration>', 'lifetime, e.g. 30d, 12h or P1Y (default: until revoked)').argParser(lifetime))
    .option('--json', 'print one JSON object {"token", "name", "expires_at"}')
    .action(async (options: RegistrationTokenCreateOptions) => {
      const config = readConfig();
      const { token, record } = await withAdministration(config, (admin) =>
        admin.registrationTokens.create({ name: options.name ?? null, ttlSeconds: options.expires ?? null }),
      );
      if (config.dynamicRegistration !== 'token') {
        warn(`Note: OAUTH_DYNAMIC_REGISTRATION is ${config.dynamicRegistration}; set it to token for POST /oauth/register to require this token.`);
      }
      if (options.json) {
        printJson({ token, name: record.name, expires_at: jsonTime(record.expiresAt) });
        return;
      }
      print('Initial access token created successfully.');
      print(`Token: ${token}`);
      print(`Expires: ${record.expiresAt ? record.expiresAt.toISOString() : 'never (until revoked)'}`);
      print('Store the token now: only its hash is kept, it cannot be shown again.');
      print('Clients send it as "Authorization: Bearer <token>" to POST /oauth/register.');
    });
}

function tokenName(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidArgumentError('The name must not be empty.');
  if (name.length > 255) throw new InvalidArgumentError('The name must not be greater than 255 characters.');
  if (/\p{Cc}/u.test(name)) throw new InvalidArgumentError('The name must not contain control characters.');
  return name;
}

function lifetime(value: string): number {
  const seconds = parseDuration(value);
  if (seconds === undefined || seconds <= 0) throw new InvalidArgumentError('Must be a duration such as 3600, 12h, 30d or P1Y.');
  return seconds;
}
