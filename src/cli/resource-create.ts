import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../duration.js';
import type { ResourceProblem } from '../oauth/use-cases/resources.js';
import { presentResource } from '../presenters/resource.js';
import { wholeNumber } from './arguments.js';
import { UsageError, print, printJson, readConfig, withAdministration } from './context.js';

interface ResourceCreateOptions {
  uri: string;
  name: string;
  scopes?: string[];
  tokenTtl?: number;
  userId?: number;
  json?: boolean;
}

const PROBLEMS: Record<ResourceProblem, string> = {
  invalid_uri: 'The --uri must be an absolute https URI (http only on localhost), without a fragment.',
  reserved_uri: "The --uri is this server's own address (APP_URL), which is always a resource.",
  uri_taken: 'A resource with this URI already exists.',
  invalid_name: 'The --name must be 1 to 191 characters.',
  invalid_scope: 'The --scopes must be scope names (no spaces, quotes, backslashes or *).',
  invalid_ttl: 'The --token-ttl must be a positive duration.',
};

export function registerResourceCreate(program: Command): void {
  program
    .command('resource:create')
    .description('Register a resource server (an MCP server, an API): tokens asked for with resource=<uri> are bound to it (RFC 8707)')
    .requiredOption('--uri <uri>', 'the resource URI, the `aud` of its tokens (https://mcp.example.com/mcp)')
    .requiredOption('--name <name>', 'the name users see on the consent page')
    .addOption(new Option('--scopes <scopes>', 'the scopes it declares, space- or comma-separated (default: any scope of this server)').argParser(scopeList))
    .addOption(new Option('--token-ttl <duration>', 'lifetime of its access tokens (15m, 1h, 3600; default ACCESS_TOKEN_TTL)').argParser(duration))
    .addOption(new Option('--user-id <id>', 'the user who owns it (shown in their dashboard)').argParser(wholeNumber(1)))
    .option('--json', 'print the resource as one JSON object')
    .action(async (options: ResourceCreateOptions) => {
      const result = await withAdministration(readConfig(), async (admin) => {
        if (options.userId !== undefined && !(await admin.users.find(options.userId))) {
          throw new UsageError(`There is no user with id ${options.userId} (--user-id).`);
        }
        return admin.resources.create({ uri: options.uri, name: options.name, scopes: options.scopes ?? null, tokenTtl: options.tokenTtl ?? null, userId: options.userId ?? null });
      });
      if (!result.ok) throw new UsageError(PROBLEMS[result.problem]);
      if (options.json) {
        printJson(presentResource(result.resource));
        return;
      }
      print('Resource created successfully.');
      print(`ID: ${result.resource.id}`);
      print(`URI: ${result.resource.uri}`);
      print(`Scopes: ${result.resource.scopes?.join(' ') ?? 'any scope of this server'}`);
    });
}

function scopeList(value: string): string[] {
  const scopes = value.split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) throw new InvalidArgumentError('Name at least one scope.');
  return scopes;
}

function duration(value: string): number {
  const seconds = parseDuration(value.trim());
  if (seconds === undefined || seconds <= 0) throw new InvalidArgumentError('Must be a duration such as 900, 15m, 1h or PT1H.');
  return seconds;
}
