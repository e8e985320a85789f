import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue } from '../helpers/cookie-jar.js';
import { POSTGRES_URL, newUser } from '../helpers/user-fixtures.js';

/**
 * Browser page requests without a session are redirected to /login and back afterwards. Found in
 * review: the management routes answered a browser with a 401 page instead.
 */
describe.each(['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const)('management routes from a browser (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
    await newUser(t, 'Alice', 'alice@example.com');
  });
  afterAll(() => t.close());

  it.each(['/oauth/clients', '/oauth/tokens', '/oauth/personal-access-tokens', '/oauth/scopes'])(
    'sends a visitor asking for the page %s to the login page and back after login',
    async (url) => {
      const browser = new InjectBrowser(t.app);
      const first = await browser.get(url);
      expect(first.statusCode).toBe(302);
      expect(first.headers.location).toBe('/login');
      const page = await browser.get('/login');
      const login = await browser.post('/login', { _token: inputValue(page.body, '_token') ?? '', email: 'alice@example.com', password: 'password123' });
      expect(login.statusCode).toBe(302);
      expect(login.headers.location).toBe(url);
      const back = await browser.get(url, { accept: 'application/json' });
      expect(back.statusCode).toBe(200);
    },
  );

  it('still answers JSON requests and requests without a preference with 401 JSON', async () => {
    for (const accept of ['application/json', '*/*']) {
      const res = await t.app.inject({ method: 'GET', url: '/oauth/clients', headers: { accept } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
    }
  });

  it('still checks CSRF first for a browser POST without a session (419)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/clients', headers: { accept: 'text/html' }, payload: {} });
    expect(res.statusCode).toBe(419);
  });
});
