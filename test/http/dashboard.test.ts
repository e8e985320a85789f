import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { POSTGRES_URL } from '../helpers/services.js';
import { userJson } from '../helpers/user-fixtures.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const PASSWORD = 'correct horse battery';
const JSON_HEADERS = { accept: 'application/json' };

/** The token a page's scripts send as X-CSRF-TOKEN. */
function metaCsrf(page: string): string | undefined {
  return /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
}

async function registerThroughForm(browser: InjectBrowser, form: Record<string, string>) {
  const page = await browser.get('/register');
  const token = inputValue(page.body, '_token');
  if (!token) throw new Error(`no _token on the register page (status ${page.statusCode})`);
  return browser.post('/register', { _token: token, ...form });
}

/** A logged-in browser on the dashboard, with the CSRF token its scripts would use. */
async function dashboardSession(t: TestApp, email: string) {
  const browser = new InjectBrowser(t.app);
  const login = await loginThroughForm(browser, email, PASSWORD);
  expect(login.statusCode).toBe(302);
  const page = await browser.get('/dashboard');
  expect(page.statusCode).toBe(200);
  const csrf = metaCsrf(page.body) ?? '';
  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, json?: unknown) =>
    browser.request({ method, url, headers: { ...JSON_HEADERS, 'x-csrf-token': csrf }, ...(json === undefined ? {} : { json }) });
  return { browser, csrf, api };
}

describe.each(databases)('the registration page (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
    await t.services.users.register({ name: 'Taken', email: 'taken@example.com', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('serves a labelled form with a CSRF token, never cached, never framed', async () => {
    const res = await new InjectBrowser(t.app).get('/register');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    for (const [id, label] of [['name', 'Name'], ['email', 'Email'], ['password', 'Password'], ['password_confirmation', 'Confirm password']]) {
      expect(res.body).toContain(`<label for="${id}">${label}</label>`);
      expect(res.body).toContain(`<input id="${id}" name="${id}"`);
    }
    expect(inputValue(res.body, '_token')).toMatch(/^[A-Za-z0-9_-]{40}$/);
  });

  it('refuses a form without the session CSRF token (419)', async () => {
    const browser = new InjectBrowser(t.app);
    await browser.get('/register');
    const res = await browser.post('/register', { _token: 'wrong', name: 'Eve', email: 'eve@example.com', password: PASSWORD, password_confirmation: PASSWORD });
    expect(res.statusCode).toBe(419);
    expect(res.body).toContain('CSRF token mismatch.');
    expect(await t.services.users.emailTaken('eve@example.com')).toBe(false);
  });

  it("sends a failed form back with Laravel's messages, the name and email kept, never the password", async () => {
    const browser = new InjectBrowser(t.app);
    const res = await registerThroughForm(browser, { name: '  <b>Bob</b> ', email: 'not-an-email', password: 'short', password_confirmation: 'short' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/register');
    const page = await browser.get('/register');
    expect(page.body).toContain('role="alert"');
    expect(page.body).toContain('<li>The email field must be a valid email address.</li>');
    expect(page.body).toContain('<li>The password field must be at least 8 characters.</li>');
    expect(inputValue(page.body, 'name')).toBe('<b>Bob</b>');
    expect(page.body).toContain('value="&lt;b&gt;Bob&lt;/b&gt;"');
    expect(inputValue(page.body, 'email')).toBe('not-an-email');
    expect(page.body).not.toContain('short');
    expect(page.body).toMatch(/<input id="email"[^>]*aria-invalid="true"/);
    expect(page.body).not.toMatch(/<input id="name"[^>]*aria-invalid/);
    // Shown once, as Laravel's flashed errors.
    expect((await browser.get('/register')).body).not.toContain('The email field must be a valid email address.');
  });

  it('reports a taken email and an unconfirmed password together', async () => {
    const browser = new InjectBrowser(t.app);
    await registerThroughForm(browser, { name: 'Taken Again', email: 'TAKEN@example.com', password: PASSWORD, password_confirmation: 'something else' });
    const page = await browser.get('/register');
    expect(page.body).toContain('<li>The email has already been taken.</li><li>The password field confirmation does not match.</li>');
  });

  it('answers a JSON request with the 422 of POST /api/users for the same input', async () => {
    const browser = new InjectBrowser(t.app, JSON_HEADERS);
    await browser.get('/register');
    const token = browser.jar.get('XSRF-TOKEN') ?? '';
    const input = { name: '', email: 'taken@example.com', password: 'x' };
    const page = await browser.request({ method: 'POST', url: '/register', json: input, headers: { 'x-xsrf-token': decodeURIComponent(token) } });
    const api = await t.app.inject({ method: 'POST', url: '/api/users', payload: input, headers: JSON_HEADERS });
    expect(page.statusCode).toBe(422);
    expect(page.json()).toEqual(api.json());
    expect(page.json()).toEqual({
      message: 'The name field is required. (and 1 more error)',
      errors: { name: ['The name field is required.'], password: ['The password field must be at least 8 characters.'] },
      status: 422,
    });
  });

  it('logs the new user in with a new session and lands on the dashboard', async () => {
    const browser = new InjectBrowser(t.app);
    await browser.get('/register');
    const before = browser.jar.get('authgate_session');
    const res = await registerThroughForm(browser, { name: 'Grace Hopper', email: 'grace@example.com', password: PASSWORD, password_confirmation: PASSWORD });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/dashboard');
    expect(browser.jar.get('authgate_session')).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(browser.jar.get('authgate_session')).not.toBe(before);
    const dashboard = await browser.get('/dashboard');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Grace Hopper');
    const me = await browser.get('/api/user', { ...JSON_HEADERS, 'x-csrf-token': metaCsrf(dashboard.body) ?? '' });
    expect(me.json()).toEqual(userJson('Grace Hopper', 'grace@example.com'));
    // A logged-in user has nothing to register.
    const again = await browser.get('/register');
    expect(again.statusCode).toBe(302);
    expect(again.headers.location).toBe('/dashboard');
    expect(await t.services.users.findByCredentials('grace@example.com', PASSWORD)).toMatchObject({ name: 'Grace Hopper' });
  });
});

describe('the registration page when REGISTRATION=closed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION: 'closed' } });
  });
  afterAll(() => t.close());

  it('says so, and refuses the form (403) as page and as JSON', async () => {
    const browser = new InjectBrowser(t.app);
    const page = await browser.get('/register');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Registration is closed');
    expect(page.body).not.toContain('name="password"');
    const form = { _token: 'any', name: 'Eve', email: 'eve@example.com', password: PASSWORD, password_confirmation: PASSWORD };
    const refused = await browser.post('/register', form);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Registration is closed');
    const json = await t.app.inject({ method: 'POST', url: '/register', payload: form, headers: JSON_HEADERS });
    expect(json.statusCode).toBe(403);
    expect(json.json()).toEqual({ message: 'This action is unauthorized.', status: 403 });
    expect(await t.services.users.emailTaken('eve@example.com')).toBe(false);
  });
});

describe.each(databases)('the dashboard (%s)', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database });
    await t.services.users.register({ name: 'Ada <Lovelace>', email: 'ada@example.com', password: PASSWORD });
    await t.services.users.register({ name: 'Other', email: 'other@example.com', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('requires a login: a page request goes to /login and comes back, JSON gets 401', async () => {
    const browser = new InjectBrowser(t.app);
    const res = await browser.get('/dashboard');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login');
    const json = await t.app.inject({ method: 'GET', url: '/dashboard', headers: JSON_HEADERS });
    expect(json.statusCode).toBe(401);
    expect(json.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
    const login = await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    expect(login.headers.location).toBe('/dashboard');
  });

  it('carries the CSRF meta its script uses, the script and stylesheet from /assets, and a fresh laravel_token', async () => {
    const { browser, csrf } = await dashboardSession(t, 'ada@example.com');
    const page = await browser.get('/dashboard');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(browser.jar.last.get('laravel_token')?.attributes).toMatchObject({ httponly: true, samesite: 'Lax' });
    expect(page.body).toContain('<h2 id="clients-heading">OAuth clients</h2>');
    expect(page.body).toContain('<h2 id="authorized-heading">Authorized applications</h2>');
    expect(page.body).toContain('<h2 id="tokens-heading">Personal access tokens</h2>');
    expect(page.body).toContain('<label for="client-name">Name</label>');
    expect(page.body).toContain('<label for="client-redirect">Redirect URIs</label>');
    expect(page.body).toContain('<label for="client-confidential">Confidential client</label>');
    expect(page.body).toContain('aria-live="polite"');
    for (const scope of t.services.scopes.list()) expect(page.body).toContain(`name="scopes" type="checkbox" value="${scope.id}"`);
    const script = /<script src="(\/assets\/dashboard\.js\?v=[0-9a-f]{12})" defer><\/script>/.exec(page.body)?.[1];
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/dashboard\.css\?v=[0-9a-f]{12})">/.exec(page.body)?.[1];
    const js = await t.app.inject({ method: 'GET', url: script ?? '/missing' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.body).toContain("'X-CSRF-TOKEN': csrfToken");
    const css = await t.app.inject({ method: 'GET', url: stylesheet ?? '/missing' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await t.app.inject({ method: 'GET', url: '/assets/dashboard.js' })).headers['cache-control']).toBe('no-cache');
    for (const url of ['/assets/nothing.js', '/assets/..%2Fdashboard.ts', '/assets/%2e%2e%2F%2e%2e%2Fhttp%2Froutes%2Fassets.ts']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
  });

  it("lists the user's clients, authorized applications and personal access tokens, all escaped", async () => {
    const { browser, api } = await dashboardSession(t, 'ada@example.com');
    const evil = '<script>alert("x")</script>';
    const created = await api('POST', '/oauth/clients', { name: evil, redirect: 'https://app.example.com/cb?a=1&b="2"', confidential: true });
    expect(created.statusCode).toBe(201);
    const pat = await api('POST', '/oauth/personal-access-tokens', { name: '<img src=x onerror=alert(1)>', scopes: ['users:read'] });
    expect(pat.statusCode).toBe(200);
    const ada = await t.services.users.findByCredentials('ada@example.com', PASSWORD);
    const thirdParty = await t.storage.repositories.clients.create({ userId: null, name: 'Photo <Printer>', secretHash: null, redirectUris: ['https://printer.example/cb'] });
    await t.core.tokenService.issueAccessToken({ clientId: thirdParty.id, userId: ada?.id ?? 0, scopes: ['users:write'], ttlSeconds: 3600 });
    const other = await t.services.users.findByCredentials('other@example.com', PASSWORD);
    await t.storage.repositories.clients.create({ userId: other?.id ?? 0, name: 'Not Ada’s', secretHash: null, redirectUris: ['https://x.example/cb'] });

    const page = (await browser.get('/dashboard')).body;
    expect(page).not.toContain(evil);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('<h3 class="item-title">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h3>');
    expect(page).toContain(`data-name="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"`);
    expect(page).toContain(`<code>${created.json().id}</code>`);
    expect(page).toContain('<code>https://app.example.com/cb?a=1&amp;b=&quot;2&quot;</code>');
    expect(page).toContain('<h3 class="item-title">&lt;img src=x onerror=alert(1)&gt;</h3>');
    expect(page).toContain('<h3 class="item-title">Photo &lt;Printer&gt;</h3>');
    expect(page).toContain('<dd>users:write</dd>');
    expect(page).toContain('<header>\n<a href="/">Authgate</a>\n<span><a href="/dashboard">Dashboard</a> <span class="muted">Ada &lt;Lovelace&gt;</span>');
    expect(page).not.toContain('Not Ada’s');
    // The secret is never part of the page.
    expect(page).not.toContain(created.json().plainSecret);
    expect(page).not.toContain(pat.json().accessToken);

    // Deleted and revoked things leave the lists.
    expect((await api('DELETE', `/oauth/clients/${created.json().id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/oauth/personal-access-tokens/${pat.json().token.id}`)).statusCode).toBe(204);
    const after = (await browser.get('/dashboard')).body;
    expect(after).not.toContain('&lt;script&gt;');
    expect(after).toContain('You have not created any OAuth clients.');
    expect(after).toContain('You have no personal access tokens.');
    expect(after).toContain('Photo &lt;Printer&gt;');
  });

  it("lists the user's resource servers, escaped, and only theirs, with a labelled form to register one", async () => {
    const { browser, api } = await dashboardSession(t, 'ada@example.com');
    const empty = (await browser.get('/dashboard')).body;
    expect(empty).toContain('<h2 id="resources-heading">Resource servers</h2>');
    expect(empty).toContain('<li class="empty">You have not registered any resource servers.</li>');
    for (const [id, label] of [['resource-uri', 'URI'], ['resource-name', 'Name'], ['resource-scopes', 'Scopes (optional)'], ['resource-ttl', 'Token lifetime in minutes (optional)']]) {
      expect(empty).toContain(`<label for="${id}">${label}</label>`);
    }
    expect(empty).toContain('Leave empty for the default (1 hour).');

    const evil = '<img src=x onerror=alert(1)>';
    const notes = await api('POST', '/oauth/resources', { uri: 'https://mcp.example.com/mcp?a=1&b="2"', name: evil, scopes: 'notes:read notes:write', token_ttl: 900 });
    expect(notes.statusCode).toBe(201);
    // Regression: the validator coerced the space-separated string into one scope, "notes:read notes:write", and refused it.
    expect(notes.json()).toMatchObject({ name: evil, scopes: ['notes:read', 'notes:write'], token_ttl: 900 });
    expect((await api('POST', '/oauth/resources', { uri: 'https://files.example.com/', name: 'Files' })).json()).toMatchObject({ scopes: null, token_ttl: null });
    // An array still works, one item or several.
    expect((await api('POST', '/oauth/resources', { uri: 'https://one.example.com/', name: 'One', scopes: ['a:b'] })).json()).toMatchObject({ scopes: ['a:b'] });
    expect((await api('POST', '/oauth/resources', { uri: 'https://two.example.com/', name: 'Two', scopes: ['a', 'b'] })).json()).toMatchObject({ scopes: ['a', 'b'] });
    const other = await t.services.users.findByCredentials('other@example.com', PASSWORD);
    expect((await t.services.resources.create({ uri: 'https://other.example.com/', name: 'Not Ada’s', userId: other?.id ?? 0 })).ok).toBe(true);
    // The operator's (resource:create): owned by nobody, in no dashboard.
    expect((await t.services.resources.create({ uri: 'https://operator.example.com/', name: 'Operator API' })).ok).toBe(true);

    const page = (await browser.get('/dashboard')).body;
    expect(page).not.toContain(evil);
    expect(page).toContain(`<li class="item" data-id="${notes.json().id}" data-name="&lt;img src=x onerror=alert(1)&gt;">`);
    expect(page).toContain('<h3 class="item-title">&lt;img src=x onerror=alert(1)&gt;</h3>');
    expect(page).toContain('<div><dt>URI</dt><dd><code>https://mcp.example.com/mcp?a=1&amp;b=&quot;2&quot;</code></dd></div>');
    expect(page).toContain('<div><dt>Scopes</dt><dd>notes:read notes:write</dd></div>');
    expect(page).toContain('<div><dt>Token lifetime</dt><dd>15 minutes</dd></div>');
    expect(page).toContain('<h3 class="item-title">Files</h3>');
    expect(page).toContain('<div><dt>Scopes</dt><dd>any scope</dd></div>');
    expect(page).toContain('<div><dt>Token lifetime</dt><dd>default (1 hour)</dd></div>');
    expect(page).toContain('data-action="delete-resource">Delete<span class="visually-hidden"> Files</span></button>');
    expect(page).not.toContain('Not Ada’s');
    expect(page).not.toContain('Operator API');
    expect(page).not.toContain('<li class="empty">You have not registered any resource servers.</li>');

    expect((await api('DELETE', `/oauth/resources/${notes.json().id}`)).statusCode).toBe(204);
    const after = (await browser.get('/dashboard')).body;
    expect(after).not.toContain('onerror');
    expect(after).toContain('<h3 class="item-title">Files</h3>');
  });
});
