import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { openDatabase } from '../../src/storage/database.js';
import { freePort } from './free-port.js';
import { POSTGRES_URL, uniqueName } from './services.js';

const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node --import tsx src/main.ts` with only the given environment (never the developer's .env or storage/). */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const port = Number(env.PORT ?? 0);
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    // A working directory without .env: the temporary folder around the storage folder.
    cwd: env.STORAGE_PATH ? dirname(env.STORAGE_PATH) : tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, base: `http://127.0.0.1:${port}`, port, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts the server on a free port and waits until it answers. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const server = spawnServer({ HOST: '127.0.0.1', PORT: String(port), ...env });
  await waitForServer(server);
  return server;
}

export async function waitForServer(server: ServerProcess, deadline = Date.now() + 20_000): Promise<void> {
  let exitedEarly = false;
  void server.exited.then(() => (exitedEarly = true));
  for (;;) {
    try {
      await fetch(`${server.base}/oauth/jwks`);
      return;
    } catch (error) {
      if (exitedEarly) throw new Error(`server exited before it answered: ${server.stderr()}`, { cause: error });
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Temporary folders made by a test file, removed by `removeAll()` in its afterAll. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = 'authgate-proc-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A PostgreSQL database of its own for a server process (the server has no schema option and
 * keeps Kysely's migration tables in `public`), dropped by `drop()`.
 */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = uniqueName('authgate_proc');
  const onServer = async (statement: ReturnType<typeof sql>) => {
    const handle = openDatabase(POSTGRES_URL ?? '');
    try {
      await statement.execute(handle.db);
    } finally {
      await handle.close();
    }
  };
  await onServer(sql`create database ${sql.id(name)}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(sql`drop database if exists ${sql.id(name)} with (force)`) };
}

/** An APP_KEY for server processes, so a test can hash client secrets the server accepts. */
export const PROCESS_APP_KEY = 'base64:dGVzdC1hcHAta2V5LWZvci1zZXJ2ZXItcHJvY2Vzc2Vz';

/**
 * A confidential client-credentials client written straight into the server's database (the
 * server finds it on first use), authenticated with HTTP Basic `id:secret`.
 */
export async function insertMachineClient(databaseUrl: string, secret = 'process-secret-process-secret-process-secret'): Promise<{ id: string; secret: string; basic: string }> {
  const { hashClientSecret } = await import('../../src/oauth/secrets.js');
  const { createRepositories } = await import('../../src/storage/repositories/index.js');
  const handle = openDatabase(databaseUrl);
  try {
    const client = await createRepositories(handle.db).clients.create({
      userId: null,
      name: 'Load',
      secretHash: hashClientSecret(secret, PROCESS_APP_KEY),
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    return { id: client.id, secret, basic: `Basic ${Buffer.from(`${client.id}:${secret}`).toString('base64')}` };
  } finally {
    await handle.close();
  }
}
