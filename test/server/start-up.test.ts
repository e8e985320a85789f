import { chmodSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { TempDirs, spawnServer, waitForServer } from '../helpers/server-process.js';

const temp = new TempDirs();
afterAll(() => temp.removeAll());

const mode = (file: string) => statSync(file).mode & 0o777;

/** Spawns with umask 000, so only modes Authgate sets itself make files private. */
function spawnWithOpenUmask(env: Record<string, string>) {
  const previous = process.umask(0o000);
  try {
    return spawnServer(env);
  } finally {
    process.umask(previous);
  }
}

/** Issue 6 defect 10: files, start-up messages and errors of the first minute. */
describe('starting the server', () => {
  it('creates storage/ 0700 and the database, -wal and -shm 0600, and says once what it created and where it serves', { timeout: 60_000 }, async () => {
    const storage = join(temp.make(), 'storage');
    const port = await freePort();
    const env = { STORAGE_PATH: storage, HOST: '127.0.0.1', PORT: String(port) };
    const first = spawnWithOpenUmask(env);
    try {
      await waitForServer(first);
      const { keys } = (await (await fetch(`${first.base}/oauth/jwks`)).json()) as { keys: { kid: string }[] };
      const database = join(storage, 'database.sqlite');
      expect(mode(storage)).toBe(0o700);
      for (const file of [database, `${database}-wal`, `${database}-shm`, join(storage, 'app.key'), join(storage, 'oauth-private.key')]) {
        expect({ file, mode: mode(file) }).toEqual({ file, mode: 0o600 });
      }
      await expect.poll(() => first.stdout()).toContain('Authgate is serving');
      const lines = first.stdout().trimEnd().split('\n');
      expect(lines).toEqual([
        `Created the SQLite database ${database} (private, mode 0600)`,
        `Created the signing key ${join(storage, 'oauth-private.key')} (EC P-256, ES256, kid ${keys[0]?.kid}, mode 0600)`,
        `  and its public key ${join(storage, 'oauth-public.key')}`,
        `Created APP_KEY in ${join(storage, 'app.key')} (mode 0600): every node must share it`,
        expect.stringMatching(/^Created the personal access client [0-9a-f-]{36}$/),
        `Authgate is serving http://127.0.0.1:${port}`,
      ]);
    } finally {
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);
    }
    // A folder that exists is left as it is.
    chmodSync(storage, 0o750);
    const second = spawnServer(env);
    try {
      await waitForServer(second);
      expect(second.stdout()).toBe('');
      expect(mode(storage)).toBe(0o750);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('stops with one line naming LOG_LEVEL for a level pino does not have', async () => {
    const run = spawnServer({ STORAGE_PATH: temp.make(), LOG_LEVEL: 'loud' });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr()).toBe('Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"\n');
  });

  it('stops with one line, no stack trace, when the port is taken', { timeout: 40_000 }, async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const storage = temp.make();
        const run = spawnServer({ STORAGE_PATH: storage, HOST: host, PORT: String(port) });
        expect((await run.exited).code).toBe(1);
        expect(run.stderr()).toBe(`Cannot start: port ${port} on ${host} is already in use (EADDRINUSE)\n`);
      }
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('HOST=localhost answers on 127.0.0.1 and on ::1', async () => {
    const port = await freePort();
    const run = spawnServer({ STORAGE_PATH: temp.make(), HOST: 'localhost', PORT: String(port) });
    try {
      await waitForServer(run);
      for (const host of ['127.0.0.1', '[::1]']) {
        const res = await fetch(`http://${host}:${port}/oauth/jwks`);
        expect({ host, status: res.status }).toEqual({ host, status: 200 });
      }
      await expect.poll(() => run.stdout()).toContain(`Authgate is serving http://127.0.0.1:${port} and http://[::1]:${port} (APP_URL http://localhost:${port})`);
    } finally {
      run.child.kill('SIGTERM');
      expect((await run.exited).code).toBe(0);
    }
  });
});
