import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import type { BearerUser } from '../helpers/bearer-user.js';
import { bearerUser } from '../helpers/bearer-user.js';

describe('/api/* answers programs, not pages', () => {
  let t: TestApp;
  let alice: BearerUser;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await bearerUser(t, { name: 'Alice' });
  });
  afterAll(() => t.close());

  it('opens no session and sends no page security policy, but keeps nosniff', async () => {
    const me = await t.app.inject({ method: 'GET', url: '/api/user', headers: alice.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: alice.user.id, name: 'Alice', email: alice.user.email });
    expect(me.headers['set-cookie']).toBeUndefined();
    expect(me.headers['content-security-policy']).toBeUndefined();
    expect(me.headers['x-content-type-options']).toBe('nosniff');

    const refused = await t.app.inject({ method: 'GET', url: '/api/user', headers: { accept: 'application/json' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
  });

  it('leaves the pages their session cookie and their headers', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login' });
    expect(page.statusCode).toBe(200);
    expect(String(page.headers['set-cookie'])).toContain('authgate_session=');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
