import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import { JSON_TIME } from '../helpers/bearer-user.js';
import type { CliSandbox } from './sandbox.js';
import { createSandbox, sandboxDatabases } from './sandbox.js';

// Every test starts the CLI as a child process, several times: allow for a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface TokenJson {
  id: string;
  name: string | null;
  revoked: boolean;
  created_at: string;
  expires_at: string | null;
}

describe.each(sandboxDatabases)('initial access tokens for dynamic registration on %s', (database) => {
  let s: CliSandbox;
  beforeEach(async () => {
    s = await createSandbox(database);
    expect((await s.run(['install'])).code).toBe(0);
  });
  afterEach(async () => {
    await s.close();
  });

  it('registration-token:create --json prints the token once; it registers clients until revoked; client:list shows them', async () => {
    const created = await s.run(['registration-token:create', '--name', 'ci', '--expires', '30d', '--json'], { OAUTH_DYNAMIC_REGISTRATION: 'token' });
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    const printed = JSON.parse(created.stdout) as { token: string; name: string; expires_at: string };
    expect(Object.keys(printed)).toEqual(['token', 'name', 'expires_at']);
    expect(printed).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), name: 'ci', expires_at: expect.stringMatching(JSON_TIME) });
    const days = (Date.parse(printed.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const listed = JSON.parse((await s.run(['registration-token:list', '--json'])).stdout) as TokenJson[];
    expect(listed).toEqual([{ id: sha256(printed.token), name: 'ci', revoked: false, created_at: expect.stringMatching(JSON_TIME), expires_at: printed.expires_at }]);
    expect(JSON.stringify(listed)).not.toContain(printed.token);

    s.env.OAUTH_DYNAMIC_REGISTRATION = 'token';
    await s.withServices(async ({ services }) => {
      const app = await buildApp(services, { logger: false });
      const register = () =>
        app.inject({
          method: 'POST',
          url: '/oauth/register',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${printed.token}` },
          payload: JSON.stringify({ client_name: 'From CI', redirect_uris: ['https://ci.example/cb'] }),
        });
      const registered = await register();
      expect(registered.statusCode).toBe(201);
      const clientId = registered.json<{ client_id: string }>().client_id;

      const clients = JSON.parse((await s.run(['client:list', '--json'])).stdout) as { id: string; user_id: number | null; origin: string | null }[];
      expect(clients.find((client) => client.id === clientId)).toMatchObject({ user_id: null, origin: 'dynamic', name: 'From CI' });
      expect(clients.find((client) => client.id !== clientId)?.origin).toBeNull();
      const table = await s.run(['client:list']);
      expect(table.stdout).toMatch(/^ID\s+Name\s+Type\s+Origin\s+Secret/);
      expect(table.stdout).toMatch(new RegExp(`${clientId}\\s+From CI\\s+authorization code\\s+dynamic\\s+confidential`));

      const revoked = await s.run(['registration-token:revoke', printed.token]);
      expect(revoked).toMatchObject({ code: 0, stdout: 'Initial access token revoked.\n' });
      const again = await s.run(['registration-token:revoke', sha256(printed.token)]);
      expect(again).toMatchObject({ code: 0, stdout: 'Initial access token already revoked.\n' });
      const refused = await register();
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: 'invalid_token' });
      await app.close();
    });
  });

  it('prints the token for people, warns when registration does not ask for it, and refuses bad arguments with exit 2', async () => {
    const shown = await s.run(['registration-token:create']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Initial access token created successfully\.\nToken: [A-Za-z0-9_-]{43}\nExpires: never \(until revoked\)\n/);
    expect(shown.stderr).toBe('Note: OAUTH_DYNAMIC_REGISTRATION is off; set it to token for POST /oauth/register to require this token.\n');

    for (const args of [['--expires', 'soon'], ['--expires', '0'], ['--name', '  ']]) {
      const bad = await s.run(['registration-token:create', ...args, '--json']);
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
    }
    const missing = await s.run(['registration-token:revoke', 'no-such-token']);
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'There is no such initial access token.\n' });
    // Tokens are base64url, so some begin with "-": the command takes them as the token, not as an option.
    const dashed = await s.run(['registration-token:revoke', '-Kx9_ab3dEf0ghIjkLmnOpqRsTuvWxyz0123456789AB']);
    expect(dashed).toMatchObject({ code: 2, stdout: '', stderr: 'There is no such initial access token.\n' });
    // Only the one good token was written.
    const table = await s.run(['registration-token:list']);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    expect(table.stdout).toMatch(/^ID\s+Name\s+Created\s+Expires\s+State\n/);
    expect(table.stdout).toMatch(/never\s+live\n$/);
  });
});
