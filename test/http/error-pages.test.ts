import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';

const PAGE = { accept: 'text/html,application/xhtml+xml' };

/** Issue 6 defect 11: every page shares the layout, and its stylesheet is not HTML-escaped. */
describe('pages and error pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_NAME: 'Gatehouse' } });
  });
  afterAll(() => t.close());

  it('sends the stylesheet unescaped, so the font rule survives', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login', headers: PAGE });
    expect(res.body).toContain('font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif');
    expect(res.body).not.toContain('&quot;Segoe UI&quot;');
  });

  it('answers a browser with a 404 page in the same layout as the other pages', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/page', headers: PAGE });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toContain('"Segoe UI"');
    expect(res.body).toContain('<main id="content">');
    expect(res.body).toContain('<a href="/">Gatehouse</a>');
    expect(res.body).toContain('The route no/such/page could not be found.');
    expect(res.body).toContain('<title>404 The route no/such/page could not be found. · Gatehouse</title>');
  });

  it('escapes what the visitor typed into the 404 page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/%3Cscript%3E', headers: PAGE });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<script>');
  });
});
