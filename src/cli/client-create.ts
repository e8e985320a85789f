import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Config } from '../config.js';
import type { Client } from '../oauth/ports.js';
import type { ClientKind, ClientRegistration } from '../oauth/use-cases/clients.js';
import { collectRedirectUris, wholeNumber } from './arguments.js';
import { presentClient } from './client-json.js';
import { UsageError, print, printJson, readConfig, warn, withAdministration, withServices } from './context.js';

interface ClientCreateOptions {
  name?: string;
  redirectUri?: string[];
  public?: boolean;
  password?: boolean;
  clientCredentials?: boolean;
  personal?: boolean;
  firstParty?: boolean;
  userId?: number;
  json?: boolean;
}

interface ClientPlan {
  kind: ClientKind;
  registration: ClientRegistration;
}

export function registerClientCreate(program: Command): void {
  program
    .command('client:create')
    .description('Create an OAuth client and print its id and secret (the secret is shown only once)')
    .addOption(new Option('--name <name>', 'the client name').argParser(clientName))
    .addOption(
      new Option('--redirect-uri <uri>', 'a redirect URI (repeatable, or comma-separated)').argParser(collectRedirectUris),
    )
    .addOption(new Option('--public', 'a public client: no secret, PKCE required'))
    .addOption(new Option('--password', 'a password grant client'))
    .addOption(
      new Option('--client-credentials', 'a client credentials grant client').conflicts(['public', 'password', 'firstParty']),
    )
    .addOption(
      new Option('--personal', 'the personal access client').conflicts([
        'password',
        'clientCredentials',
        'redirectUri',
        'firstParty',
        'userId',
      ]),
    )
    .addOption(new Option('--first-party', 'skip the consent screen for this client'))
    .addOption(new Option('--user-id <id>', 'the id of the user who owns the client').argParser(wholeNumber(1)))
    .option('--json', 'print one JSON object')
    .action(async (options: ClientCreateOptions) => {
      const config = readConfig();
      const plan = planClient(options, config);
      // The owner is checked before the service graph exists, so a bad --user-id generates no secrets.
      if (options.userId !== undefined) await assertUserExists(config, options.userId);
      // The same registration as POST /oauth/clients and the dashboard use.
      const created = await withServices(config, { generateSecrets: true }, (services) => services.clients.register(plan.registration));
      report({ client: created.client, secret: created.plainSecret ?? undefined }, plan.kind, options.json ?? false);
      if (plan.kind === 'password' && !config.passwordGrant) {
        warn('Note: the password grant is off; set OAUTH_PASSWORD_GRANT=true to use this client.');
      }
    });
}

function clientName(value: string): string {
  const name = value.trim();
  if (name === '') throw new InvalidArgumentError('The name must not be empty.');
  if (name.length > 255) throw new InvalidArgumentError('The name must not be greater than 255 characters.');
  return name;
}

/** Everything decided from the arguments alone, before storage is touched. */
function planClient(options: ClientCreateOptions, config: Config): ClientPlan {
  const kind: ClientKind = options.personal
    ? 'personal'
    : options.password
      ? 'password'
      : options.clientCredentials
        ? 'client_credentials'
        : 'authorization_code';
  // Passport's default names (`passport:client`), and its default callback for code clients.
  const defaults: Record<ClientKind, string> = {
    personal: `${config.appName} Personal Access Client`,
    password: `${config.appName} Password Grant Client`,
    client_credentials: `${config.appName} ClientCredentials Grant Client`,
    authorization_code: `${config.appName} Client`,
  };
  const redirectUris =
    options.redirectUri ?? (kind === 'authorization_code' ? [`${config.appUrl}/auth/callback`] : []);
  return {
    kind,
    registration: {
      kind,
      userId: options.userId ?? null,
      name: options.name ?? defaults[kind],
      redirectUris,
      confidential: kind !== 'personal' && !options.public,
      firstParty: options.firstParty ?? false,
    },
  };
}

interface CreatedClient {
  client: Client;
  secret: string | undefined;
}

async function assertUserExists(config: Config, userId: number): Promise<void> {
  const user = await withAdministration(config, (admin) => admin.users.find(userId));
  if (!user) throw new UsageError(`There is no user with id ${userId} (--user-id).`);
}

function report({ client, secret }: CreatedClient, kind: ClientKind, json: boolean): void {
  if (json) {
    const { id, ...rest } = presentClient(client);
    printJson({ id, ...(secret !== undefined ? { secret } : {}), ...rest });
    return;
  }
  const headline: Record<ClientKind, string> = {
    personal: 'Personal access client created successfully.',
    password: 'Password grant client created successfully.',
    client_credentials: 'New client created successfully.',
    authorization_code: 'New client created successfully.',
  };
  print(headline[kind]);
  print(`Client ID: ${client.id}`);
  if (secret !== undefined) {
    print(`Client secret: ${secret}`);
    print('Store the secret now: only its hash is kept, it cannot be shown again.');
  } else if (kind !== 'personal') {
    print('Public client: no secret; it must use PKCE.');
  }
}
