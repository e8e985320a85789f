import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/storage/database.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'main.ts');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder removed after the tests. */
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function waitForServer(url: string, deadline = Date.now() + 15_000): Promise<Response> {
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('starting the server', () => {
  it('refuses a bad configuration value with a message naming the variable and exit code 1', async () => {
    const run = start({ STORAGE_PATH: tempDir('authgate-start-'), ACCESS_TOKEN_TTL: 'forever' });
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain('ACCESS_TOKEN_TTL');
  });

  it('starts with nothing configured: SQLite, APP_KEY and a signing key generated into storage/ (0600)', async () => {
    const storage = tempDir('authgate-start-');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const run = start({ STORAGE_PATH: storage, PORT: port, HOST: '127.0.0.1' });
    try {
      const res = await waitForServer(`http://127.0.0.1:${port}/oauth/jwks`);
      expect(res.status).toBeLessThan(500);
      for (const file of ['app.key', 'oauth-private.key']) expect(statSync(join(storage, file)).mode & 0o777).toBe(0o600);
      expect(statSync(join(storage, 'database.sqlite')).isFile()).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('keeps every write it acknowledged when the process is killed with SIGKILL', async () => {
    const storage = tempDir('authgate-crash-');
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const run = start({ STORAGE_PATH: storage, PORT: port, HOST: '127.0.0.1', TOKEN_RATE_LIMIT: '0', REGISTER_RATE_LIMIT: '0', LOGIN_RATE_LIMIT: '0' });
    const base = `http://127.0.0.1:${port}`;
    const post = (path: string, body: unknown) =>
      fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    let acknowledgedTokens: number;
    try {
      await waitForServer(`${base}/oauth/jwks`);
      const user = { name: 'Crash', email: 'crash@example.com', password: 'password123', password_confirmation: 'password123' };
      expect((await post('/api/users', user)).status).toBe(201);
      const logins = await Promise.all(Array.from({ length: 20 }, () => post('/api/login', { email: user.email, password: user.password })));
      acknowledgedTokens = logins.filter((r) => r.status === 200).length;
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    expect(acknowledgedTokens).toBe(20);
    const handle = openDatabase(`sqlite:${join(storage, 'database.sqlite')}`);
    try {
      const users = await handle.db.selectFrom('users').select('email').execute();
      const tokens = await handle.db.selectFrom('oauth_access_tokens').select('id').execute();
      expect(users.map((u) => u.email)).toEqual(['crash@example.com']);
      expect(tokens.length).toBeGreaterThanOrEqual(acknowledgedTokens);
    } finally {
      await handle.close();
    }
  });
});
