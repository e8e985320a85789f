import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue } from '../helpers/cookie-jar.js';
import { newUser } from '../helpers/user-fixtures.js';

/**
 * LOGIN_RATE_LIMIT is 5 failures a minute per email and address — whichever login
 * they go through. Found in review: without Redis, `/login` and `/api/login` each kept their own
 * count, so an attacker had twice the guesses.
 */
describe('login throttle on one node (no Redis)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await newUser(t, 'Alice', 'alice@example.com');
  });
  afterAll(() => t.close());

  it('counts failures on /login and /api/login together', async () => {
    const api = () =>
      t.app.inject({ method: 'POST', url: '/api/login', headers: { 'content-type': 'application/json' }, payload: { email: 'alice@example.com', password: 'wrong-password' } });
    const browser = new InjectBrowser(t.app, { accept: 'application/json' });
    const page = await browser.get('/login');
    const token = inputValue(page.body, '_token') ?? '';
    const form = () => browser.post('/login', { _token: token, email: 'alice@example.com', password: 'wrong-password' });

    for (let i = 0; i < 3; i++) expect((await api()).statusCode).toBe(422);
    for (let i = 0; i < 2; i++) expect((await form()).statusCode).toBe(422);
    const sixthByForm = await form();
    expect(sixthByForm.statusCode).toBe(429);
    expect(sixthByForm.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
    const seventhByApi = await api();
    expect(seventhByApi.statusCode).toBe(429);
    expect(seventhByApi.headers['retry-after']).toMatch(/^\d+$/);
  });
});
