import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliSandbox } from './sandbox.js';
import { createSandbox, sandboxDatabases } from './sandbox.js';

// Every test starts the CLI as a child process, several times: allow for a loaded machine.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

interface ResourceJson {
  id: string;
  uri: string;
  name: string;
  scopes: string[] | null;
  token_ttl: number | null;
  user_id: number | null;
}

describe.each(sandboxDatabases)('resource:create, resource:list and resource:delete on %s', (database) => {
  let s: CliSandbox;
  beforeEach(async () => {
    s = await createSandbox(database);
  });
  afterEach(() => s.close());

  it('registers a resource server with its scopes and token lifetime, lists it, deletes it', async () => {
    const created = await s.run(['resource:create', '--uri', 'https://mcp.example.com/mcp', '--name', 'Notes MCP', '--scopes', 'notes:read notes:write', '--token-ttl', '15m', '--json']);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    const resource = JSON.parse(created.stdout) as ResourceJson;
    expect(resource).toMatchObject({ uri: 'https://mcp.example.com/mcp', name: 'Notes MCP', scopes: ['notes:read', 'notes:write'], token_ttl: 900, user_id: null });

    const listed = await s.run(['resource:list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: resource.id, uri: resource.uri })]);
    expect((await s.run(['resource:list'])).stdout).toContain('Notes MCP');

    // The server sees it.
    expect((await s.run(['install'])).code).toBe(0);
    await s.withServices(async ({ services }) => {
      expect((await services.resources.find('https://mcp.example.com/mcp'))?.id).toBe(resource.id);
    });

    const deleted = await s.run(['resource:delete', 'https://mcp.example.com/mcp']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Resource https://mcp.example.com/mcp deleted.\n' });
    expect(JSON.parse((await s.run(['resource:list', '--json'])).stdout)).toEqual([]);
  });

  it('refuses bad arguments with exit 2 and writes nothing', async () => {
    const cases: [string[], string][] = [
      [['--uri', 'https://mcp.example.com/mcp#frag', '--name', 'X'], 'The --uri must be an absolute https URI'],
      [['--uri', 'http://mcp.example.com/mcp', '--name', 'X'], 'The --uri must be an absolute https URI'],
      [['--uri', 'https://mcp.example.com/mcp', '--name', 'X', '--scopes', '*'], 'The --scopes must be scope names'],
      [['--uri', 'https://mcp.example.com/mcp', '--name', 'X', '--token-ttl', 'soon'], 'duration'],
      [['--uri', 'https://mcp.example.com/mcp', '--name', 'X', '--user-id', '4242'], 'There is no user with id 4242'],
      [['--name', 'X'], "required option '--uri <uri>'"],
    ];
    for (const [args, message] of cases) {
      const result = await s.run(['resource:create', ...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
    }
    expect(JSON.parse((await s.run(['resource:list', '--json'])).stdout)).toEqual([]);
    expect((await s.run(['resource:create', '--uri', 'https://a.example.com', '--name', 'A'])).code).toBe(0);
    const taken = await s.run(['resource:create', '--uri', 'https://a.example.com', '--name', 'B']);
    expect(taken).toMatchObject({ code: 2, stderr: 'A resource with this URI already exists.\n' });
    expect((await s.run(['resource:delete', 'https://nowhere.example.com'])).code).toBe(2);
  });
});
