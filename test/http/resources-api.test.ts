import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { BearerUser } from '../helpers/bearer-user.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { testDatabases } from '../helpers/services.js';
import { JSON_TIME, UUID } from '../helpers/bearer-user.js';

/** GET/POST /oauth/resources and DELETE /oauth/resources/{id}: a user's resource servers (RFC 8707). */
describe.each(testDatabases())('the resource servers API on $label', ({ label }) => {
  let t: TestApp;
  let alice: BearerUser;
  let bob: BearerUser;
  beforeAll(async () => {
    t = await createTestApp({ database: label });
    alice = await bearerUser(t, { name: 'Alice' });
    bob = await bearerUser(t, { name: 'Bob' });
  });
  afterAll(() => t.close());

  const create = (user: BearerUser, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/oauth/resources', payload, headers: user.headers });

  it('registers a resource for the user (201), lists only theirs, and deletes it (204)', async () => {
    const res = await create(alice, { uri: 'https://notes.example.com/mcp', name: 'Notes', scopes: 'notes:read notes:write', token_ttl: 600 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.stringMatching(UUID),
      uri: 'https://notes.example.com/mcp',
      name: 'Notes',
      scopes: ['notes:read', 'notes:write'],
      token_ttl: 600,
      user_id: alice.user.id,
      created_at: expect.stringMatching(JSON_TIME),
      updated_at: expect.stringMatching(JSON_TIME),
    });
    const id = res.json<{ id: string }>().id;
    expect((await t.app.inject({ url: '/oauth/resources', headers: alice.headers })).json()).toEqual([res.json()]);
    expect((await t.app.inject({ url: '/oauth/resources', headers: bob.headers })).json()).toEqual([]);
    // Another user's resource is not found.
    expect((await t.app.inject({ method: 'DELETE', url: `/oauth/resources/${id}`, headers: bob.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/oauth/resources/${id}`, headers: alice.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/oauth/resources', headers: alice.headers })).json()).toEqual([]);
  });

  it('answers Laravel 422s for a bad or taken URI, a missing name and a bad scope', async () => {
    expect((await create(alice, { uri: 'https://taken.example.com', name: 'Taken' })).statusCode).toBe(201);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ uri: 'https://taken.example.com', name: 'Again' }, 'uri', 'The uri has already been taken.'],
      [{ uri: 'https://x.example.com#f', name: 'X' }, 'uri', 'The uri field must be an absolute https URI without a fragment.'],
      [{ uri: 'http://localhost:8000', name: 'Me' }, 'uri', 'The uri is this server itself.'],
      [{ uri: 'https://x.example.com' }, 'name', 'The name field is required.'],
      [{ uri: 'https://x.example.com', name: 'X', scopes: ['*'] }, 'scopes', 'The selected scopes is invalid.'],
    ];
    for (const [payload, field, message] of cases) {
      const res = await create(alice, payload);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual({ [field]: [message] });
    }
  });

  it('needs the session, the API cookie or a user token carrying *', async () => {
    expect((await t.app.inject({ url: '/oauth/resources', headers: { accept: 'application/json' } })).statusCode).toBe(401);
    const narrow = await bearerUser(t, { scopes: ['users:read'] });
    expect((await t.app.inject({ url: '/oauth/resources', headers: narrow.headers })).statusCode).toBe(403);
  });
});
