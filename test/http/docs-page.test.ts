import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/http/docs/document.js';
import { anchorOf, operationsByTag } from '../../src/http/docs/document.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';

/** A few routes of each reference, with what their section must show. */
const ROUTES: [string, string][] = [
  ['GET', '/oauth/authorize'],
  ['POST', '/oauth/token'],
  ['PUT', '/oauth/clients/{client_id}'],
  ['DELETE', '/oauth/clients/{client_id}'],
  ['DELETE', '/oauth/personal-access-tokens/{token_id}'],
  ['POST', '/api/v1/user/store'],
  ['POST', '/api/login'],
  ['POST', '/api/users'],
  ['GET', '/api/users'],
  ['DELETE', '/_debugbar/cache/{key}/{tags}'],
];

/** The section of one operation in the page. */
function section(page: string, method: string, path: string): string {
  const start = page.indexOf(`<section class="op" id="${anchorOf(method, path)}"`);
  expect(start, `${method} ${path}`).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</section>', start));
}

describe('GET /docs', () => {
  let t: TestApp;
  let page: string;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_DEBUG: 'true' } });
    const res = await t.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    page = res.body;
    document = (await t.app.inject({ url: '/docs/openapi.json' })).json<OpenApiDocument>();
  });
  afterAll(() => t.close());

  it('is the API reference page, linking the Postman collection and the OpenAPI document', () => {
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<h1>Authgate API</h1>');
    expect(page).toContain('href="/docs/collection.json"');
    expect(page).toContain('href="/docs/openapi.json"');
  });

  it('has a section and a table-of-contents link for every documented operation, grouped by tag', () => {
    for (const [tag, operations] of operationsByTag(document)) {
      expect(page).toContain(`<h2 id="tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-title">${tag}</h2>`);
      for (const { method, path } of operations) {
        expect(page).toContain(`href="#${anchorOf(method, path)}"`);
        expect(section(page, method, path)).toContain(`<span class="method m-${method.toLowerCase()}">${method}</span> <code>${path}</code>`);
      }
    }
    for (const [method, path] of ROUTES) section(page, method, path);
  });

  it('shows summary, authentication, fields and example requests in curl and JavaScript', () => {
    const register = section(page, 'POST', '/api/users');
    expect(register).toContain('<p class="summary">Register a user</p>');
    expect(register).toContain('<strong>Authentication:</strong> None');
    expect(register).toContain('<td><code>email</code></td><td>string (email)</td><td>required</td>');
    expect(register).toContain('curl -X POST "http://localhost:8000/api/users"');
    expect(register).toContain(`-d '{\n  "name": "Jane Doe",\n  "email": "user@example.com",`);
    expect(register).toContain('const response = await fetch("http://localhost:8000/api/users", {');

    const store = section(page, 'POST', '/api/v1/user/store');
    expect(store).toContain('Bearer token with <code>users:write</code>');
    expect(store).toContain('-H "Authorization: Bearer {token}"');

    const search = section(page, 'GET', '/api/users');
    expect(search).toContain('curl -X GET -G "http://localhost:8000/api/users"');
    expect(search).toContain('--data-urlencode "name=Jane Doe"');
    expect(search).toContain('url.search = new URLSearchParams({');

    const token = section(page, 'POST', '/oauth/token');
    expect(token).toContain('--data-urlencode "grant_type=client_credentials"');
    expect(token).toContain('body: new URLSearchParams([');

    expect(section(page, 'PUT', '/oauth/clients/{client_id}')).toContain('<h4>Path parameters</h4>');
  });

  it('shows example answers derived from the response schemas and the documented errors', () => {
    const login = section(page, 'POST', '/api/login');
    expect(login).toContain('<span class="status s2">200</span>');
    expect(login).toContain('"token_type": "Bearer"');
    expect(login).toContain('"email": [\n            "These credentials do not match our records."\n        ]');
    const authorize = section(page, 'GET', '/oauth/authorize');
    expect(authorize).toContain('<span class="status s4">401</span>');
    expect(authorize).toContain('"message": "Unauthenticated."');
    expect(section(page, 'POST', '/oauth/token')).toContain('"error": "unsupported_grant_type"');
  });

  it('uses no script and nothing from another origin', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page.match(/(?:src|href|action)="[^"]*"/g)?.filter((attribute) => !/="[/#]/.test(attribute))).toEqual([]);
  });
});

describe('GET /docs escapes what it shows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { APP_NAME: '<script>alert(1)</script> & Co', OAUTH_SCOPES: JSON.stringify({ 'photos:read': 'See <img src=x onerror=alert(1)> "photos"' }) },
    });
  });
  afterAll(() => t.close());

  it('in text, titles and code blocks', async () => {
    const page = (await t.app.inject({ url: '/docs' })).body;
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co API</h1>');
    expect(page).toContain('"description": "See &lt;img src=x onerror=alert(1)&gt; \\"photos\\""');
    const document = (await t.app.inject({ url: '/docs/openapi.json' })).json<OpenApiDocument>();
    expect(document.info.title).toBe('<script>alert(1)</script> & Co API');
  });
});
