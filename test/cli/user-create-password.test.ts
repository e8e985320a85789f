import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle, MemoryAttemptCounter } from '../../src/accounts/login-throttle.js';
import { Users } from '../../src/accounts/users.js';
import { openDatabase } from '../../src/storage/database.js';
import { createRepositories } from '../../src/storage/repositories/index.js';
import type { CliSandbox } from './sandbox.js';
import { createSandbox } from './sandbox.js';

const CLI = resolve(import.meta.dirname, '../../src/cli/index.ts');
const TSX = createRequire(import.meta.url).resolve('tsx');

const sandboxes: CliSandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

/** Runs the CLI with `input` on standard input (a pipe), or through `script` so standard input is a terminal. */
function run(s: CliSandbox, args: string[], input: string, terminal = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [process.execPath, '--import', TSX, CLI, ...args];
  const [command, commandArgs] = terminal
    ? ['script', ['-qec', argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null']]
    : [argv[0] ?? '', argv.slice(1)];
  return new Promise((done, fail) => {
    const child = spawn(command, commandArgs, { cwd: s.storagePath, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...s.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    // Through a terminal, type only once the prompt is up (a terminal would drop earlier input in raw mode).
    if (terminal) {
      const typeWhenPrompted = () => (stdout.includes('Password: ') ? child.stdin.write(input) : setTimeout(typeWhenPrompted, 50));
      typeWhenPrompted();
    } else child.stdin.end(input);
  });
}

/** The user, when the password the CLI read is the one stored. */
async function storedUser(s: CliSandbox, email: string) {
  const handle = openDatabase(s.env.DATABASE_URL ?? '');
  try {
    return await new Users(createRepositories(handle.db).users, new LoginThrottle(new MemoryAttemptCounter(), { maxAttempts: 0 })).findByCredentials(email, 'stdin-password-123');
  } finally {
    await handle.close();
  }
}

/** Issue 6 defect 10: `user:create` took the password only from --password (shell history). */
describe('authgate user:create without --password', () => {
  it('reads the first line of standard input', { timeout: 40_000 }, async () => {
    const s = await createSandbox();
    sandboxes.push(s);
    const result = await run(s, ['user:create', '--name', 'Piped', '--email', 'piped@example.com', '--json'], 'stdin-password-123\nignored second line\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'Piped', email: 'piped@example.com' });
    expect(await storedUser(s, 'piped@example.com')).toMatchObject({ email: 'piped@example.com' });

    const short = await run(s, ['user:create', '--name', 'Short', '--email', 'short@example.com'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('The password field must be at least 8 characters.\n');
  });

  it('prompts on a terminal without echoing what is typed', { timeout: 40_000 }, async () => {
    const s = await createSandbox();
    sandboxes.push(s);
    const result = await run(s, ['user:create', '--name', 'Typed', '--email', 'typed@example.com'], 'stdin-password-123\r', true);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Password: ');
    expect(result.stdout).toContain('User created successfully.');
    expect(result.stdout).not.toContain('stdin-password-123');
    expect(await storedUser(s, 'typed@example.com')).toMatchObject({ email: 'typed@example.com' });
  });
});

/** Issue 6 defect 10: install printed storage/app.key whatever STORAGE_PATH was. */
describe('authgate install', () => {
  it('prints where it wrote APP_KEY', { timeout: 40_000 }, async () => {
    const s = await createSandbox();
    sandboxes.push(s);
    const result = await s.run(['install']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Application key generated into ${resolve(s.storagePath, 'app.key')}.`);
  });
});
