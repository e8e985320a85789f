import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { KeyError } from '../oauth/signing-keys.js';
import { registerClientCreate } from './client-create.js';
import { registerClientList } from './client-list.js';
import { CommandFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, warn } from './context.js';
import { registerImportPassport } from './import-passport.js';
import { registerInstall } from './install.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerPurge } from './purge.js';
import { registerResourceCreate } from './resource-create.js';
import { registerResourceDelete } from './resource-delete.js';
import { registerResourceList } from './resource-list.js';
import { registerRegistrationTokenCreate } from './registration-token-create.js';
import { registerRegistrationTokenList } from './registration-token-list.js';
import { registerRegistrationTokenRevoke } from './registration-token-revoke.js';
import { registerServe } from './serve.js';
import { registerUserCreate } from './user-create.js';

/** Adding a command is one file in src/cli and one line here. */
const commands = [
  registerKeys,
  registerMigrate,
  registerInstall,
  registerClientCreate,
  registerClientList,
  registerUserCreate,
  registerPurge,
  registerResourceCreate,
  registerResourceList,
  registerResourceDelete,
  registerImportPassport,
  registerRegistrationTokenCreate,
  registerRegistrationTokenList,
  registerRegistrationTokenRevoke,
  registerServe,
];

export function buildProgram(): Command {
  const program = new Command('authgate')
    .description('Authgate: OAuth 2 server with the API of Laravel Passport')
    .version(packageVersion())
    // Commander errors become exceptions (mapped to exit code 2 below) instead of process.exit(1);
    // subcommands created after this inherit the setting.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  for (const register of commands) register(program);
  return program;
}

/** Parses and runs one command; resolves to the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  // Commander has already printed its message (or the help that was asked for).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof UsageError) {
    warn(error.message);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError || error instanceof KeyError || error instanceof CommandFailure) {
    warn(error.message);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  warn(`error: ${message}`);
  if (error instanceof Error && process.env.APP_DEBUG === 'true' && error.stack) warn(error.stack);
  return EXIT_FAILURE;
}

/** The version in package.json, found from src/cli (tsx) or dist/src/cli (built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
      if (typeof parsed.version === 'string') return parsed.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
