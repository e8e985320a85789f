import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyClientSecret } from '../../src/oauth/secrets.js';
import type { CliSandbox } from './sandbox.js';
import { createSandbox, sandboxDatabases } from './sandbox.js';

// Every test starts the CLI as a child process, several times: allow for a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface ClientJson {
  id: string;
  secret?: string;
  name: string;
  user_id: number | null;
  redirect: string;
  personal_access_client: boolean;
  password_client: boolean;
  confidential: boolean;
  first_party: boolean;
  grant_types: string[] | null;
  revoked: boolean;
}

describe.each(sandboxDatabases)('clients and users on %s', (database) => {
  let s: CliSandbox;
  beforeEach(async () => {
    s = await createSandbox(database);
    expect((await s.run(['install'])).code).toBe(0);
  });
  afterEach(async () => {
    await s.close();
  });

  async function createClient(...args: string[]): Promise<ClientJson> {
    const result = await s.run(['client:create', ...args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as ClientJson;
  }

  async function listClients(): Promise<ClientJson[]> {
    return JSON.parse((await s.run(['client:list', '--json'])).stdout) as ClientJson[];
  }

  it('client:create --json prints one object whose secret authenticates the client', async () => {
    const client = await createClient('--name', 'Web App', '--redirect-uri', 'https://app.example/callback');
    expect(client).toMatchObject({
      name: 'Web App',
      redirect: 'https://app.example/callback',
      confidential: true,
      personal_access_client: false,
      password_client: false,
      revoked: false,
    });
    expect(client.secret).toMatch(/^[A-Za-z0-9]{40}$/);
    await s.withServices(async ({ services, storage }) => {
      const stored = await storage.repositories.clients.findById(client.id);
      expect(stored?.secretHash).not.toBeNull();
      expect(stored?.secretHash).not.toContain(client.secret);
      const hash = stored?.secretHash ?? '';
      expect(await verifyClientSecret(client.secret ?? '', hash, services.appKey)).toEqual({ ok: true });
      expect((await verifyClientSecret(`${client.secret}x`, hash, services.appKey)).ok).toBe(false);
    });
  });

  it('prints the id and the secret for people, once', async () => {
    const result = await s.run(['client:create', '--name', 'Shown']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^New client created successfully\.\nClient ID: \S+\nClient secret: [A-Za-z0-9]{40}\n/);
  });

  it('a public client has no secret, and takes repeated and comma-separated redirect URIs', async () => {
    const client = await createClient(
      '--public',
      '--redirect-uri',
      'https://spa.example/cb',
      '--redirect-uri',
      'com.example.app:/oauth,http://127.0.0.1:8123/cb',
    );
    expect(client).not.toHaveProperty('secret');
    expect(client).toMatchObject({
      confidential: false,
      redirect: 'https://spa.example/cb,com.example.app:/oauth,http://127.0.0.1:8123/cb',
    });
    await s.withServices(async ({ storage }) => {
      const stored = await storage.repositories.clients.findById(client.id);
      expect(stored?.secretHash).toBeNull();
      expect(stored?.redirectUris).toEqual(['https://spa.example/cb', 'com.example.app:/oauth', 'http://127.0.0.1:8123/cb']);
    });
  });

  it('without options makes a confidential code client with Passport-style defaults', async () => {
    const client = await createClient();
    expect(client).toMatchObject({ name: 'Authgate Client', redirect: 'http://localhost:8000/auth/callback', grant_types: null });
  });

  it('--password, --client-credentials, --first-party and --personal set what they say', async () => {
    const passwordRun = await s.run(['client:create', '--password', '--json']);
    expect(passwordRun.code).toBe(0);
    // The client is made, with a reminder that the grant itself is off by default.
    expect(passwordRun.stderr).toBe('Note: the password grant is off; set OAUTH_PASSWORD_GRANT=true to use this client.\n');
    expect(JSON.parse(passwordRun.stdout)).toMatchObject({
      name: 'Authgate Password Grant Client',
      password_client: true,
      confidential: true,
    });
    expect((await s.run(['client:create', '--password', '--json'], { OAUTH_PASSWORD_GRANT: 'true' })).stderr).toBe('');
    const machine = await createClient('--client-credentials', '--name', 'Cron');
    expect(machine).toMatchObject({ grant_types: ['client_credentials'], confidential: true });
    expect(machine.secret).toBeDefined();
    const firstParty = await createClient('--first-party');
    expect(firstParty.first_party).toBe(true);
    const personal = await createClient('--personal', '--name', 'PAT');
    expect(personal).toMatchObject({ personal_access_client: true, confidential: false, grant_types: ['personal_access'] });
    expect(personal).not.toHaveProperty('secret');
    await s.withServices(async ({ storage }) => {
      expect((await storage.repositories.clients.findPersonalAccessClient())?.id).toBe(personal.id);
    });
  });

  it('--user-id assigns an existing user; an unknown one is exit 2 and creates nothing', async () => {
    const user = JSON.parse(
      (await s.run(['user:create', '--name', 'Owner', '--email', 'owner@example.com', '--password', 'correct horse', '--json'])).stdout,
    ) as { id: number };
    const owned = await createClient('--user-id', String(user.id));
    expect(owned.user_id).toBe(user.id);

    const before = await listClients();
    const missing = await s.run(['client:create', '--user-id', String(user.id + 100), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(String(user.id + 100));
    expect(await listClients()).toEqual(before);
  });

  it('client:list never shows secrets, as JSON or as a table', async () => {
    const client = await createClient('--name', 'Listed');
    const list = await listClients();
    // Both may be made within one second (timestamps' precision): the order between them is not the point.
    expect(list.map((c) => c.name).sort()).toEqual(['Authgate Personal Access Client', 'Listed']);
    expect(JSON.stringify(list)).not.toContain(client.secret);
    expect(list.every((c) => !('secret' in c))).toBe(true);
    const table = await s.run(['client:list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(client.id);
    expect(table.stdout).toContain('Listed');
    expect(table.stdout).not.toContain(client.secret);
    expect(table.stdout).not.toContain('hmac-sha256');
  });

  it('user:create --json prints the user, who can then log in', async () => {
    const result = await s.run(['user:create', '--name', 'Ann Lee', '--email', 'ann@example.com', '--password', 'secret-pass', '--json']);
    expect(result.code).toBe(0);
    const user = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual(['created_at', 'email', 'email_verified_at', 'id', 'name', 'updated_at']);
    expect(user).toMatchObject({ name: 'Ann Lee', email: 'ann@example.com', email_verified_at: null });
    expect(user.id).toEqual(expect.any(Number));
    expect(user.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    await s.withServices(async ({ services }) => {
      expect((await services.users.findByCredentials('ann@example.com', 'secret-pass'))?.id).toBe(user.id);
    });
  });

  it('user:create refuses a taken email, whatever its case, with exit 2', async () => {
    expect((await s.run(['user:create', '--name', 'Ann', '--email', 'ann@example.com', '--password', 'secret-pass'])).code).toBe(0);
    const taken = await s.run(['user:create', '--name', 'Other', '--email', 'ANN@example.com', '--password', 'other-pass']);
    expect(taken).toMatchObject({ code: 2, stdout: '', stderr: 'The email has already been taken.\n' });
    await s.withServices(async ({ services }) => {
      expect(await services.users.findByCredentials('ANN@example.com', 'other-pass')).toBeUndefined();
    });
  });
});
