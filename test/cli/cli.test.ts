import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publicJwks } from '../../src/oauth/signing-keys.js';
import type { CliSandbox } from './sandbox.js';
import { createSandbox, spawnCli } from './sandbox.js';

// Every test starts the CLI as a child process, several times: allow for a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const sandboxes: CliSandbox[] = [];
async function sandbox(): Promise<CliSandbox> {
  const created = await createSandbox();
  sandboxes.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

const mode = (file: string) => statSync(file).mode & 0o777;
const read = (file: string) => readFileSync(file, 'utf8');

describe('authgate install', () => {
  it('migrates, creates keys, APP_KEY and the personal access client, and changes nothing the second time', async () => {
    const s = await sandbox();
    const first = await s.run(['install']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Migrated: ');
    expect(first.stdout).toContain('Encryption keys generated successfully.');
    expect(mode(join(s.storagePath, 'oauth-private.key'))).toBe(0o600);
    expect(mode(join(s.storagePath, 'app.key'))).toBe(0o600);
    const keyBefore = read(join(s.storagePath, 'oauth-private.key'));
    const appKeyBefore = read(join(s.storagePath, 'app.key'));
    const clientId = /Client ID: (\S+)/.exec(first.stdout)?.[1];

    const second = await s.run(['install']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to migrate.');
    expect(second.stdout).toContain(`Personal access client already exists. Client ID: ${clientId}`);
    expect(read(join(s.storagePath, 'oauth-private.key'))).toBe(keyBefore);
    expect(read(join(s.storagePath, 'app.key'))).toBe(appKeyBefore);
    const list = await s.run(['client:list', '--json']);
    const clients = JSON.parse(list.stdout) as { id: string; personal_access_client: boolean }[];
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ id: clientId, personal_access_client: true });
  });
});

describe('authgate migrate', () => {
  it('prints the migrations it ran, then that there is nothing to migrate', async () => {
    const s = await sandbox();
    const first = await s.run(['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Migrated: \S+passport-tables\n/);
    // migrate needs no secrets: it generates none.
    expect(readdirSync(s.storagePath).filter((name) => !name.startsWith('db.sqlite'))).toEqual([]);
    const second = await s.run(['migrate']);
    expect(second).toMatchObject({ code: 0, stdout: 'Nothing to migrate.\n' });
  });
});

describe('authgate keys', () => {
  it('writes an EC P-256 private key with mode 0600 and refuses to overwrite it', async () => {
    const s = await sandbox();
    const created = await s.run(['keys']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Encryption keys generated successfully.');
    const privateFile = join(s.storagePath, 'oauth-private.key');
    expect(mode(privateFile)).toBe(0o600);
    expect(mode(join(s.storagePath, 'oauth-public.key')) & 0o022).toBe(0);
    const key = createPrivateKey(read(privateFile));
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const refused = await s.run(['keys']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('Encryption keys already exist. Use the --force option to overwrite them.');
    expect(read(privateFile)).toBe(key.export({ type: 'pkcs8', format: 'pem' }).toString());

    const forced = await s.run(['keys', '--force']);
    expect(forced.code).toBe(0);
    expect(read(privateFile)).not.toBe(key.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(mode(privateFile)).toBe(0o600);
  });

  it('--bits makes an RSA key of that size; --type ed25519 an Ed25519 key', async () => {
    const s = await sandbox();
    expect((await s.run(['keys', '--bits', '2048'])).code).toBe(0);
    const rsa = createPrivateKey(read(join(s.storagePath, 'oauth-private.key')));
    expect(rsa.asymmetricKeyType).toBe('rsa');
    expect(rsa.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((await s.run(['keys', '--force', '--type', 'ed25519'])).code).toBe(0);
    expect(createPrivateKey(read(join(s.storagePath, 'oauth-private.key'))).asymmetricKeyType).toBe('ed25519');
  });

  it('--rotate keeps the old public key, so a token signed before the rotation still validates', async () => {
    const s = await sandbox();
    expect((await s.run(['install'])).code).toBe(0);
    const created = await s.run(['client:create', '--client-credentials', '--json']);
    const clientId = (JSON.parse(created.stdout) as { id: string }).id;
    const oldPublic = read(join(s.storagePath, 'oauth-public.key'));
    const { jwt, kid } = await s.withServices(async ({ services, core }) => {
      const issued = await core.tokenService.issueAccessToken({ clientId, userId: null, scopes: [], ttlSeconds: 3600 });
      return { jwt: issued.jwt, kid: services.keys.active.kid };
    });

    const rotated = await s.run(['keys', '--rotate']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`Retired key ${kid} still validates the tokens it signed.`);
    const retiredDir = join(s.storagePath, 'oauth-retired-keys');
    expect(readdirSync(retiredDir)).toEqual([`${kid}.pub`]);
    expect(read(join(retiredDir, `${kid}.pub`)).trim()).toBe(oldPublic.trim());
    expect(read(join(s.storagePath, 'oauth-public.key'))).not.toBe(oldPublic);

    await s.withServices(async ({ services, core }) => {
      expect(services.keys.active.kid).not.toBe(kid);
      expect(publicJwks(services.keys).keys.map((jwk) => jwk.kid)).toEqual([services.keys.active.kid, kid]);
      expect(await services.tokens.authenticate(jwt)).toMatchObject({ clientId, userId: null });
      const fresh = await core.tokenService.issueAccessToken({ clientId, userId: null, scopes: [], ttlSeconds: 3600 });
      expect(await services.tokens.authenticate(fresh.jwt)).toMatchObject({ clientId });
    });
  });
});

describe('bad arguments: a message on stderr, exit code 2, nothing written', () => {
  const cases: [string, string[]][] = [
    ['an unknown option', ['client:create', '--nope']],
    ['an unknown command', ['client:destroy']],
    ['no command', []],
    ['an excess argument', ['migrate', 'now']],
    ['a missing required option', ['user:create', '--name', 'Ann', '--password', 'long-enough']],
    ['a bad email', ['user:create', '--name', 'Ann', '--email', 'not-an-email', '--password', 'long-enough']],
    ['a short password', ['user:create', '--name', 'Ann', '--email', 'ann@example.com', '--password', 'short']],
    ['a blank name', ['user:create', '--name', ' ', '--email', 'ann@example.com', '--password', 'long-enough']],
    ['--hours that is not a whole number', ['purge', '--hours', 'soon']],
    ['negative --hours', ['purge', '--hours', '-3']],
    ['--user-id that is not a number', ['client:create', '--user-id', 'abc']],
    ['a redirect URI with a fragment', ['client:create', '--redirect-uri', 'https://app.example/cb#x']],
    ['a relative redirect URI', ['client:create', '--redirect-uri', '/callback']],
    ['--personal with --password', ['client:create', '--personal', '--password']],
    ['--client-credentials with --public', ['client:create', '--client-credentials', '--public']],
    ['--bits below 2048', ['keys', '--bits', '1024']],
    ['--bits with an EC key', ['keys', '--type', 'ec', '--bits', '4096']],
    ['an unknown key type', ['keys', '--type', 'dsa']],
  ];

  // Concurrent, so each case closes its own sandbox rather than leaving it to afterEach.
  it.concurrent.for(cases)('%s', async ([, args], { expect }) => {
    const s = await createSandbox();
    try {
      const result = await s.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).not.toBe('');
      expect(result.stdout).toBe('');
      expect(readdirSync(s.storagePath)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('an unknown --user-id on a fresh install creates no client and generates no secrets', async () => {
    const s = await sandbox();
    const result = await s.run(['client:create', '--user-id', '7', '--json']);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'There is no user with id 7 (--user-id).\n' });
    expect(readdirSync(s.storagePath).filter((name) => !name.startsWith('db.sqlite'))).toEqual([]);
    expect(JSON.parse((await s.run(['client:list', '--json'])).stdout)).toEqual([]);
  });

  it('names every broken rule of user:create in Laravel wording', async () => {
    const s = await sandbox();
    const result = await s.run(['user:create', '--name', '', '--email', 'x', '--password', '1234567']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'The name field is required.\nThe email field must be a valid email address.\n' +
        'The password field must be at least 8 characters.\n',
    );
  });
});

describe('configuration', () => {
  it('a bad variable stops every command with a message naming it and exit code 1', async () => {
    const s = await sandbox();
    const result = await s.run(['client:list'], { ACCESS_TOKEN_TTL: 'forever' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ACCESS_TOKEN_TTL');
    const database = await s.run(['migrate'], { DATABASE_URL: 'mysql://localhost/app' });
    expect(database.code).toBe(1);
    expect(database.stderr).toContain('DATABASE_URL');
  });

  it('reads .env from the working directory, without overriding the environment', async () => {
    const s = await sandbox();
    writeFileSync(join(s.storagePath, '.env'), 'APP_NAME="Dot Env App"\nAPP_URL=http://ignored.example\n');
    const result = await s.run(['client:create', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: 'Dot Env App Client',
      redirect: 'http://localhost:8000/auth/callback',
    });
  });
});

describe('authgate --help and serve', () => {
  it('--help exits 0', async () => {
    const s = await sandbox();
    const result = await s.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('client:create');
  });

  it('serve starts the server on the configured port and stops on SIGTERM', async () => {
    const s = await sandbox();
    const port = await freePort();
    const child = spawnCli(['serve', '--port', String(port), '--host', '127.0.0.1'], s.env, s.storagePath);
    child.stdout.resume();
    child.stderr.resume();
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const response = await waitForHttp(`http://127.0.0.1:${port}/oauth/jwks`);
      expect(response.status).toBeLessThan(500);
      // The first start generated what the server needs: nothing has to be configured first.
      expect(existsSync(join(s.storagePath, 'oauth-private.key'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForHttp(url: string): Promise<Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
}
