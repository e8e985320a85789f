import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../helpers/free-port.js';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';


const PASSWORD = 'correct horse battery';
// The phone screenshot goes to SCREENSHOT_DIR when set (kept for review), else into a temporary folder removed afterwards.
const screenshotDir = process.env.SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'authgate-screens-'));
const SCREENSHOT = join(screenshotDir, 'dashboard-phone.png');

describe.skipIf(!hasChromium)('register and manage clients, resource servers and tokens on the dashboard in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base } });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    // A phone: the whole walk happens at this size.
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    // Script errors and CSP violations surface as page errors or console errors.
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // Failed responses are judged below by their URL and status.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      // 422s are the validation errors the test provokes; the browser asks for a favicon by itself.
      if (response.status() >= 400 && response.status() !== 422 && path !== '/favicon.ico') problems.push(`${response.status()} ${path}`);
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    if (!process.env.SCREENSHOT_DIR) rmSync(screenshotDir, { recursive: true, force: true });
  });

  const status = (id: string) => page.locator(`#${id}`).textContent();
  const item = (listId: string, title: string) => page.locator(`#${listId} li.item`).filter({ has: page.getByRole('heading', { name: title, exact: true }) });

  it('registers through /register (errors first, input kept) and lands on the dashboard', async () => {
    await page.goto(`${base}/register`);
    await page.getByLabel('Name', { exact: true }).fill('Grace <Hopper>');
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password').fill('short');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The password field must be at least 8 characters.');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Grace <Hopper>');
    expect(await page.getByLabel('Email').inputValue()).toBe('grace@example.com');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(`${base}/dashboard`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    expect(await page.locator('header').textContent()).toContain('Grace <Hopper>');
    expect(await page.locator('#clients-list').textContent()).toContain('You have not created any OAuth clients.');
  });

  it('creates a client: field errors first, then the secret shown once, gone after a reload', async () => {
    const form = page.locator('#client-create');
    await form.getByRole('button', { name: 'Create client' }).click();
    await expect.poll(() => page.locator('#client-name-error').textContent()).toBe('The name field is required.');
    expect(await page.locator('#client-redirect-error').textContent()).toBe('The redirect field is required.');
    expect(await form.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Name', { exact: true }).fill('My <App>');
    await form.getByLabel('Redirect URIs').fill('not a uri');
    await form.getByRole('button', { name: 'Create client' }).click();
    await expect.poll(() => page.locator('#client-redirect-error').textContent()).toBe('One or more redirects have an invalid URI format.');
    expect(await page.locator('#client-name-error').isHidden()).toBe(true);

    await form.getByLabel('Redirect URIs').fill('https://app.example.com/callback, http://127.0.0.1/cb');
    await form.getByRole('button', { name: 'Create client' }).click();
    await expect.poll(() => status('clients-status')).toBe('Client “My <App>” created.');
    const panel = page.locator('#client-created');
    expect(await panel.isVisible()).toBe(true);
    expect(await panel.textContent()).toContain('Copy the client secret now: it will not be shown again.');
    const clientId = await panel.getByLabel('Client ID').inputValue();
    const secret = await panel.getByLabel('Client secret').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(40);
    // The secret shown is the client's secret.
    const stored = await t.storage.repositories.clients.findById(clientId);
    expect(stored).toMatchObject({ name: 'My <App>', redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1/cb'] });
    expect(await verifyClientSecret(secret, stored?.secretHash ?? '', t.services.appKey)).toEqual({ ok: true });
    // A name that looks like markup is shown as text.
    const entry = item('clients-list', 'My <App>');
    expect(await entry.count()).toBe(1);
    expect(await entry.textContent()).toContain(clientId);
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('');

    await panel.getByRole('button', { name: 'Copy secret' }).click();
    await expect.poll(() => status('clients-status')).toBe('Copied to the clipboard.');
    // Runs in the page; the test compiles without the DOM library.
    const clipboard = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(clipboard).toBe(secret);

    await page.reload();
    expect(await page.locator('#client-created').isHidden()).toBe(true);
    expect(await page.locator('#new-client-secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain(secret);
    expect(await item('clients-list', 'My <App>').count()).toBe(1);
  });

  it("edits the client's name", async () => {
    const entry = item('clients-list', 'My <App>');
    await entry.getByRole('button', { name: 'Edit' }).click();
    const edit = entry.getByRole('form', { name: 'Edit client My <App>' });
    expect(await edit.getByLabel('Redirect URIs').inputValue()).toBe('https://app.example.com/callback,http://127.0.0.1/cb');
    await edit.getByLabel('Name', { exact: true }).fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.locator('.field-error').first().textContent()).toBe('The name field is required.');
    await edit.getByLabel('Name', { exact: true }).fill('Renamed App');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => status('clients-status')).toBe('Client “Renamed App” updated.');
    expect(await item('clients-list', 'Renamed App').count()).toBe(1);
    expect(await item('clients-list', 'My <App>').count()).toBe(0);
    const [client] = await t.storage.repositories.clients.listForUser((await t.services.users.findByCredentials('grace@example.com', PASSWORD))?.id ?? 0);
    expect(client?.name).toBe('Renamed App');
  });

  it('creates a personal access token with a scope, shown once, then revokes it', async () => {
    const form = page.locator('#token-create');
    await form.getByLabel('Name', { exact: true }).fill('Deploy script');
    await form.getByLabel('Read user profiles').check();
    await form.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => status('tokens-status')).toBe('Token “Deploy script” created.');
    const panel = page.locator('#token-created');
    expect(await panel.textContent()).toContain('Copy the token now: it will not be shown again.');
    const jwt = await panel.getByLabel('Personal access token').inputValue();
    expect(decodeJwt(jwt).scopes).toEqual(['users:read']);
    const entry = item('tokens-list', 'Deploy script');
    expect(await entry.textContent()).toContain('users:read');
    const me = await t.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Bearer ${jwt}`, accept: 'application/json' } });
    expect(me.json()).toMatchObject({ name: 'Grace <Hopper>' });

    // The phone view with a secret panel, lists and forms: looked at by a person, kept for review.
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const scrollWidth = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);

    await panel.getByRole('button', { name: 'Done' }).click();
    expect(await panel.isHidden()).toBe(true);
    expect(await page.locator('#new-token').inputValue()).toBe('');

    await entry.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => status('tokens-status')).toBe('Token “Deploy script” revoked.');
    expect(await page.locator('#tokens-list').textContent()).toContain('You have no personal access tokens.');
    const after = await t.app.inject({ method: 'GET', url: '/api/user', headers: { authorization: `Bearer ${jwt}`, accept: 'application/json' } });
    expect(after.statusCode).toBe(401);
  });

  it('revokes an authorized application', async () => {
    const user = await t.services.users.findByCredentials('grace@example.com', PASSWORD);
    const app = await t.storage.repositories.clients.create({ userId: null, name: 'Photo Printer', secretHash: null, redirectUris: ['https://printer.example/cb'] });
    const issued = await t.core.tokenService.issueAccessToken({ clientId: app.id, userId: user?.id ?? 0, scopes: ['users:read'], ttlSeconds: 3600 });
    await page.reload();
    const entry = item('authorized-list', 'Photo Printer');
    expect(await entry.textContent()).toContain('users:read');
    await entry.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => status('authorized-status')).toBe('Access for “Photo Printer” revoked.');
    expect(await page.locator('#authorized-list').textContent()).toContain('You have not authorized any applications.');
    expect(await t.services.tokens.authenticate(issued.jwt)).toBeUndefined();
  });

  it('registers a resource server: the API\'s 422 under the URI, then listed as text, then deleted', async () => {
    const user = await t.services.users.findByCredentials('grace@example.com', PASSWORD);
    const form = page.locator('#resource-create');
    expect(await page.locator('#resources-list').textContent()).toContain('You have not registered any resource servers.');
    await form.getByLabel('URI', { exact: true }).fill('http://notes.example.com/mcp');
    await form.getByLabel('Name', { exact: true }).fill('Notes <MCP>');
    await form.getByLabel('Scopes (optional)').fill('notes:read notes:write');
    await form.getByLabel('Token lifetime in minutes (optional)').fill('1.5');
    await form.getByRole('button', { name: 'Register resource server' }).click();
    // Checked in the page: the API takes whole seconds, the form whole minutes.
    await expect.poll(() => page.locator('#resource-ttl-error').textContent()).toBe('The token lifetime must be a whole number of minutes, from 1 to 525600 (a year).');
    expect(await form.getByLabel('Token lifetime in minutes (optional)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Token lifetime in minutes (optional)').fill('15');
    await form.getByRole('button', { name: 'Register resource server' }).click();
    // The API's own 422: plain http is for localhost only.
    await expect.poll(() => page.locator('#resource-uri-error').textContent()).toBe('The uri field must be an absolute https URI without a fragment.');
    expect(await form.getByLabel('URI', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#resource-ttl-error').isHidden()).toBe(true);
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('Notes <MCP>');
    expect(await t.services.resources.list({ userId: user?.id ?? 0 })).toEqual([]);

    await form.getByLabel('URI', { exact: true }).fill('https://notes.example.com/mcp');
    await form.getByRole('button', { name: 'Register resource server' }).click();
    await expect.poll(() => status('resources-status')).toBe('Resource server “Notes <MCP>” registered.');
    const entry = item('resources-list', 'Notes <MCP>');
    expect(await entry.count()).toBe(1);
    expect(await entry.locator('dl').innerText()).toMatch(/URI\s+https:\/\/notes\.example\.com\/mcp\s+Scopes\s+notes:read notes:write\s+Token lifetime\s+15 minutes/);
    expect(await form.getByLabel('URI', { exact: true }).inputValue()).toBe('');
    expect(await form.getByLabel('URI', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    expect(await t.services.resources.list({ userId: user?.id ?? 0 })).toMatchObject([
      { uri: 'https://notes.example.com/mcp', name: 'Notes <MCP>', scopes: ['notes:read', 'notes:write'], tokenTtl: 900 },
    ]);
    // Still a phone page with the item in it.
    const scrollWidth = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);

    // Server-rendered the same way after a reload.
    await page.reload();
    expect(await item('resources-list', 'Notes <MCP>').locator('dl').innerText()).toMatch(/Token lifetime\s+15 minutes/);
    await item('resources-list', 'Notes <MCP>').getByRole('button', { name: 'Delete Notes <MCP>' }).click();
    await expect.poll(() => status('resources-status')).toBe('Resource server “Notes <MCP>” deleted.');
    expect(await page.locator('#resources-list').textContent()).toContain('You have not registered any resource servers.');
    expect(await t.services.resources.list({ userId: user?.id ?? 0 })).toEqual([]);
  });

  it('deletes the client, with no script error or CSP violation on the way', async () => {
    const entry = item('clients-list', 'Renamed App');
    const clientId = await entry.getAttribute('data-id');
    await entry.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => status('clients-status')).toBe('Client “Renamed App” deleted.');
    expect(await page.locator('#clients-list').textContent()).toContain('You have not created any OAuth clients.');
    expect((await t.storage.repositories.clients.findById(clientId ?? ''))?.revoked).toBe(true);
    await page.reload();
    expect(await page.locator('#clients-list').textContent()).toContain('You have not created any OAuth clients.');
    expect(problems).toEqual([]);
  });
});
