import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/free-port.js';
import { registerClient } from '../http/dynamic-registration-helpers.js';

const PASSWORD = 'correct horse battery';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const NOTES = 'https://notes.example.com/mcp';
/** A command-line agent's callback on this machine, and a web app's elsewhere. */
const LOOPBACK_CALLBACK = 'http://127.0.0.1:9/callback';
const WEB_CALLBACK = 'https://callback.notes-app.example/oauth/cb';

/** A client ID metadata document, served on loopback as its own URL says (CIMD_ALLOW_PRIVATE=true). */
async function serveDocument(): Promise<{ url: string; close(): Promise<void> }> {
  let url = '';
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    response.end(JSON.stringify({ client_id: url, client_name: 'Notes <Agent>', redirect_uris: [LOOPBACK_CALLBACK], token_endpoint_auth_method: 'none' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/agent/client.json`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!hasChromium)('the consent page in a real browser: who is asking, what for, and where the user goes', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let doc: Awaited<ReturnType<typeof serveDocument>>;
  const screenshots = mkdtempSync(join(tmpdir(), 'authgate-consent-'));

  beforeAll(async () => {
    doc = await serveDocument();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base, CIMD_ALLOW_PRIVATE: 'true', OAUTH_DYNAMIC_REGISTRATION: 'open' } });
    await t.services.users.register({ name: 'Ada Lovelace', email: 'ada@example.com', password: PASSWORD });
    expect((await t.services.resources.create({ uri: NOTES, name: 'Notes MCP', scopes: ['notes:read'] })).ok).toBe(true);
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await doc?.close();
    rmSync(screenshots, { recursive: true, force: true });
  });

  /** A phone that opens the authorization request, logs in on the way, and lands on the consent page. */
  async function consentFor(clientId: string, redirectUri: string, extra: Record<string, string> = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 375, height: 720 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    // The clients' callbacks, answered here as their servers would.
    await page.route(/^(http:\/\/127\.0\.0\.1:9|https:\/\/callback\.notes-app\.example)\//, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback reached' }));
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', state: 'st', code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'S256', ...extra });
    await page.goto(`${base}/oauth/authorize?${query.toString()}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname === '/oauth/authorize');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Authorization request');
    return page;
  }

  /** What a person reads: the rendered text of the page's main part, whitespace collapsed. */
  const visibleText = async (page: Page) => (await page.locator('main').innerText()).replace(/\s+/g, ' ');

  it('a client ID metadata document client: its name as its own claim, the host publishing it, the resource and the redirect host', async () => {
    const page = await consentFor(doc.url, LOOPBACK_CALLBACK, { scope: 'notes:read', resource: NOTES });
    const text = await visibleText(page);
    const publisher = new URL(doc.url).host;
    // The name is shown as text, never as markup.
    expect(text).toContain('Notes <Agent> is requesting permission to access your account.');
    const notice = page.getByRole('note');
    expect(await notice.count()).toBe(1);
    expect((await notice.innerText()).replace(/\s+/g, ' ')).toBe(
      `This application is not verified by Authgate. The name above is the one it gave itself. It is published by ${publisher}. Authorize it only if you trust it.`,
    );
    expect(await notice.locator('strong', { hasText: publisher }).count()).toBe(1);
    expect(text).toContain('This application will be able to: notes:read on Notes MCP');
    expect(text).toContain('Its access will be limited to: Notes MCP (notes.example.com)');
    expect(text).toContain('After you answer, you will be sent to 127.0.0.1:9 (an app on this device).');
    // Neither a warning nor an error: nothing is announced as an alert.
    expect(await page.getByRole('alert').count()).toBe(0);

    // A phone: no sideways scrolling; the screenshot is looked at by a person, then removed with its directory.
    const scrollWidth = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(375);
    const shot = join(screenshots, 'consent-cimd-phone.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((url) => url.href.startsWith(LOOPBACK_CALLBACK));
    expect(new URL(page.url()).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    await page.context().close();
  });

  it('a dynamically registered client: the client_uri host as its own claim, and the redirect host', async () => {
    const registered = await registerClient(t, {
      client_name: 'Notes Web',
      client_uri: 'https://www.notes-app.example/about',
      redirect_uris: [WEB_CALLBACK],
      token_endpoint_auth_method: 'none',
    });
    const page = await consentFor(registered.client_id, WEB_CALLBACK, { scope: 'users:read' });
    const text = await visibleText(page);
    expect(text).toContain('Notes Web is requesting permission to access your account.');
    const notice = page.getByRole('note');
    expect((await notice.innerText()).replace(/\s+/g, ' ')).toBe(
      'This application is not verified by Authgate. The name above is the one it gave itself. It says it comes from www.notes-app.example, which Authgate has not checked. Authorize it only if you trust it.',
    );
    expect(text).toContain('This application will be able to: Read user profiles');
    expect(text).not.toContain('Its access will be limited to');
    expect(text).toContain('After you answer, you will be sent to callback.notes-app.example.');

    // The host named is where the answer goes.
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.href.startsWith(WEB_CALLBACK));
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await page.context().close();
  });

  it('a registered client without a client_uri: the notice names no host', async () => {
    const registered = await registerClient(t, { client_name: 'Bare Agent', redirect_uris: [LOOPBACK_CALLBACK], token_endpoint_auth_method: 'none' });
    const page = await consentFor(registered.client_id, LOOPBACK_CALLBACK, { scope: 'users:read' });
    expect((await page.getByRole('note').innerText()).replace(/\s+/g, ' ')).toBe(
      'This application is not verified by Authgate. The name above is the one it gave itself. Authorize it only if you trust it.',
    );
    await page.context().close();
  });

  it('an ordinary client: its name and the redirect host, with none of the notice', async () => {
    const client = await t.storage.repositories.clients.create({
      userId: null,
      name: 'Photo Printer',
      secretHash: hashClientSecret('browser-secret-browser-secret-browser-secret', t.services.appKey),
      redirectUris: [WEB_CALLBACK],
    });
    const page = await consentFor(client.id, WEB_CALLBACK, { scope: 'notes:read', resource: NOTES });
    const text = await visibleText(page);
    expect(text).toContain('Photo Printer is requesting permission to access your account.');
    expect(await page.getByRole('note').count()).toBe(0);
    expect(text).not.toContain('verified');
    expect(text).not.toContain('trust');
    expect(text).toContain('Its access will be limited to: Notes MCP (notes.example.com)');
    expect(text).toContain('After you answer, you will be sent to callback.notes-app.example.');
    await page.context().close();
  });
});
