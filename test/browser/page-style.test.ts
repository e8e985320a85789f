import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/free-port.js';

/**
 * Issue 6 defect 11: the layout's stylesheet went through the escaping template, so
 * `"Segoe UI"` became `&quot;Segoe UI&quot;`, the browser dropped the whole font rule and
 * every page was set in Times. Checked where it matters: the style the browser computed.
 */
describe.skipIf(!hasChromium)('page style in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let client: Client;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestApp({ env: { APP_URL: base } });
    client = await t.storage.repositories.clients.create({ userId: null, name: 'Printer', secretHash: null, redirectUris: ['http://127.0.0.1:9/cb'] });
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sets the login page, the 404 page and the authorize error page in the system font', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const badRedirect = `/oauth/authorize?${new URLSearchParams({ client_id: client.id, redirect_uri: 'https://evil.example/cb', response_type: 'code' }).toString()}`;
    const seen: Record<string, { font: string; background: string }> = {};
    for (const path of ['/login', '/no/such/page', badRedirect]) {
      await page.goto(base + path);
      seen[path] = await page.evaluate(() => {
        // Runs in the page; the test compiles without the DOM library.
        const g = globalThis as unknown as { document: { body: unknown }; getComputedStyle(element: unknown): { fontFamily: string; backgroundColor: string } };
        const style = g.getComputedStyle(g.document.body);
        return { font: style.fontFamily, background: style.backgroundColor };
      });
    }
    for (const path of Object.keys(seen)) {
      expect({ path, ...seen[path] }).toEqual({ path, font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', background: 'rgb(243, 244, 246)' });
    }
    expect(await page.textContent('body')).toContain('The redirect address is not registered for this application');
    await context.close();
  });
});
