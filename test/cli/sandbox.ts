import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.js';
import type { Assembly } from '../../src/services.js';
import { assembleServices } from '../../src/services.js';
import { openDatabase } from '../../src/storage/database.js';
import { POSTGRES_URL, uniqueName } from '../helpers/services.js';

const CLI = resolve(import.meta.dirname, '../../src/cli/index.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A storage directory and a database of its own, and the CLI run against them as a child process. */
export interface CliSandbox {
  storagePath: string;
  env: Record<string, string>;
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** The service graph in this process, configured from the same environment as the CLI. */
  withServices<T>(work: (assembly: Assembly) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type SandboxDatabase = 'sqlite' | 'postgres';

export const sandboxDatabases: SandboxDatabase[] = ['sqlite', ...(POSTGRES_URL ? (['postgres'] as const) : [])];

export async function createSandbox(database: SandboxDatabase = 'sqlite'): Promise<CliSandbox> {
  const storagePath = mkdtempSync(join(tmpdir(), 'authgate-cli-'));
  const pgDatabase = database === 'postgres' ? await createPostgresDatabase() : undefined;
  const env: Record<string, string> = {
    STORAGE_PATH: storagePath,
    DATABASE_URL: pgDatabase ? databaseUrl(pgDatabase) : `sqlite:${join(storagePath, 'db.sqlite')}`,
    APP_URL: 'http://localhost:8000',
    LOG_LEVEL: 'silent',
  };
  return {
    storagePath,
    env,
    run: (args, extraEnv = {}) => runCli(args, { ...env, ...extraEnv }, storagePath),
    async withServices(work) {
      const assembly = await assembleServices(loadConfig(env), { generateSecrets: false, migrate: false });
      const { services } = assembly;
      try {
        return await work(assembly);
      } finally {
        await services.close();
      }
    },
    async close() {
      if (pgDatabase) await dropPostgresDatabase(pgDatabase);
      rmSync(storagePath, { recursive: true, force: true });
    },
  };
}

/** Runs `authgate <args>` with only the given environment (never the developer's APP_KEY or keys). */
function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnCli(args, env, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `node --import tsx src/cli/index.ts <args>`, with only the given environment. */
export function spawnCli(args: string[], env: Record<string, string>, cwd: string): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// The server has no schema option and keeps Kysely's migration tables in `public`, so each
// PostgreSQL sandbox gets a database of its own on the test server, dropped on close.
function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_URL ?? '');
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(statement: (name: string) => ReturnType<typeof sql>, name: string): Promise<void> {
  const handle = openDatabase(POSTGRES_URL ?? '');
  try {
    await statement(name).execute(handle.db);
  } finally {
    await handle.close();
  }
}

async function createPostgresDatabase(): Promise<string> {
  const name = uniqueName('authgate_cli');
  await onServer((db) => sql`create database ${sql.id(db)}`, name);
  return name;
}

async function dropPostgresDatabase(name: string): Promise<void> {
  await onServer((db) => sql`drop database if exists ${sql.id(db)} with (force)`, name);
}
