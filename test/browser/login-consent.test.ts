import type { Browser } from 'playwright-core';
import { freePort } from '../helpers/free-port.js';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';


const PASSWORD = 'correct horse battery';
const CALLBACK = 'http://127.0.0.1:9/callback';

describe.skipIf(!hasChromium)('login and consent in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let client: Client;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base } });
    await t.services.users.register({ name: 'Ada Lovelace', email: 'ada@example.com', password: PASSWORD });
    client = await t.storage.repositories.clients.create({
      userId: null,
      name: 'Photo Printer',
      secretHash: hashClientSecret('browser-secret-browser-secret-browser-secret', t.services.appKey),
      redirectUris: [CALLBACK],
    });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 375, height: 720 } });
    const page = await context.newPage();
    // The client's callback: caught here, as the client's server would receive it.
    await page.route('http://127.0.0.1:9/**', (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback reached' }));
    return { context, page };
  }

  function authorizeUrl(state: string): string {
    const params = new URLSearchParams({ client_id: client.id, redirect_uri: CALLBACK, response_type: 'code', scope: 'users:read', state });
    return `${base}/oauth/authorize?${params.toString()}`;
  }

  it('walks login → consent → redirect with a code, state and iss', async () => {
    const { context, page } = await newPage();
    await page.goto(authorizeUrl('browser-state'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('These credentials do not match our records.');
    expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth/authorize');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Authorization request');
    expect(await page.textContent('body')).toContain('Photo Printer');
    expect(await page.textContent('body')).toContain('Read user profiles');

    const cookies = await context.cookies(base);
    const byName = new Map(cookies.map((cookie) => [cookie.name, cookie]));
    expect(byName.get('authgate_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(byName.get('laravel_token')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(byName.get('XSRF-TOKEN')).toMatchObject({ httpOnly: false, sameSite: 'Lax' });

    // A page script reaches the JSON API with the transient cookie and a CSRF header.
    const statuses = await page.evaluate(async () => {
      // Runs in the page; the test compiles without the DOM library.
      const doc = (globalThis as unknown as { document: { cookie: string; querySelector(selector: string): { getAttribute(name: string): string | null } | null } }).document;
      const xsrf = decodeURIComponent(/(?:^|; )XSRF-TOKEN=([^;]+)/.exec(doc.cookie)?.[1] ?? '');
      const meta = doc.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
      const call = (headers: Record<string, string>) => fetch('/api/user', { headers: { accept: 'application/json', ...headers } }).then((r) => r.status);
      return { xsrf: await call({ 'X-XSRF-TOKEN': xsrf }), csrf: await call({ 'X-CSRF-TOKEN': meta }), none: await call({}) };
    });
    expect(statuses).toEqual({ xsrf: 200, csrf: 200, none: 401 });

    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((url) => url.href.startsWith(CALLBACK));
    const callback = new URL(page.url());
    expect(callback.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(callback.searchParams.get('state')).toBe('browser-state');
    expect(callback.searchParams.get('iss')).toBe(base);
    expect(await page.textContent('body')).toBe('callback reached');
    await context.close();
  });

  it('sends the user back with access_denied when they cancel, and logs out', async () => {
    const { context, page } = await newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Issue 6 defect 11: with no destination, login lands on the dashboard.
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.textContent('h1')).toBe('Dashboard');

    await page.goto(authorizeUrl('cancel-state'));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.href.startsWith(CALLBACK));
    const callback = new URL(page.url());
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('hint')).toBe('The user denied the request');
    expect(callback.searchParams.get('state')).toBe('cancel-state');

    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.textContent('body')).toContain('You are not logged in.');
    const names = (await context.cookies(base)).map((cookie) => cookie.name);
    expect(names).not.toContain('laravel_token');
    expect(names).not.toContain('authgate_session');
    await context.close();
  });
});
