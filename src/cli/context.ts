import type { Config } from '../config.js';
import { loadConfig, loadDotEnv } from '../config.js';
import type { Administration, ServiceOptions, Services } from '../services.js';
import { createServices, openAdministration } from '../services.js';

/** Exit codes: 2 for a bad invocation (as commander and POSIX utilities use), 1 for a failure. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A bad argument found by a command itself (a missing user, a taken email): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command that could not do its work for a reason other than its arguments: exit code 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

/** The server's own configuration: `.env` in the working directory, then the environment. */
export function readConfig(): Config {
  loadDotEnv();
  return loadConfig();
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs `work` with the full service graph and always closes it (database pool, Redis). */
export async function withServices<T>(config: Config, options: ServiceOptions, work: (services: Services) => Promise<T>): Promise<T> {
  const services = await createServices(config, options);
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

/**
 * The operator's tasks on the database alone, migrated like the server migrates it on start:
 * for commands that need neither signing keys nor APP_KEY, so they never generate secrets as
 * a side effect.
 */
export async function withAdministration<T>(
  config: Config,
  work: (admin: Administration) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const admin = await openAdministration(config, options);
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}
