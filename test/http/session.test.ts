import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_SECONDS, safeIntendedPath } from '../../src/accounts/sessions.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { POSTGRES_URL, REDIS_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;
const CSRF_MISMATCH = { message: 'CSRF token mismatch.', status: 419 };
const PASSWORD = 'correct horse battery';

async function sessionRow(t: TestApp, cookieId: string | undefined) {
  return t.storage.repositories.sessions.find(sha256(cookieId ?? ''));
}

describe.each(databases)('login and logout pages on %s', (database) => {
  let t: TestApp;
  let userId: number;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { LOGIN_RATE_LIMIT: '3' } });
    userId = (await t.services.users.register({ name: 'Ada <Lovelace>', email: 'ada@example.com', password: PASSWORD })).id;
  });
  afterAll(() => t.close());

  it('serves an accessible login form with a CSRF token and cookies set HttpOnly (but XSRF-TOKEN) and SameSite=Lax', async () => {
    const browser = new InjectBrowser(t.app);
    const res = await browser.get('/login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.body).toContain('<label for="email">Email</label>');
    expect(res.body).toContain('<input id="email" name="email" type="email"');
    expect(res.body).toContain('<label for="password">Password</label>');
    expect(res.body).toContain('name="viewport"');
    const token = inputValue(res.body, '_token');
    expect(token).toMatch(/^[A-Za-z0-9_-]{40}$/);

    const session = browser.jar.last.get('authgate_session');
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(session?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });
    expect(session?.attributes.secure).toBeUndefined();
    const xsrf = browser.jar.last.get('XSRF-TOKEN');
    expect(xsrf?.attributes).toMatchObject({ path: '/', samesite: 'Lax' });
    expect(xsrf?.attributes.httponly).toBeUndefined();
    // Only the hash of the id is stored.
    const row = await sessionRow(t, session?.value);
    expect(row).toBeDefined();
    expect(JSON.parse(row?.payload ?? '{}')).toMatchObject({ csrfToken: token });
    expect(await t.storage.repositories.sessions.find(session?.value ?? '')).toBeUndefined();
  });

  it('refuses a login without the CSRF token (419), as JSON or as a page', async () => {
    const browser = new InjectBrowser(t.app);
    await browser.get('/login');
    const json = await browser.request({ method: 'POST', url: '/login', form: { email: 'ada@example.com', password: PASSWORD }, headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(419);
    expect(json.json()).toEqual(CSRF_MISMATCH);
    const page = await browser.post('/login', { email: 'ada@example.com', password: PASSWORD, _token: 'wrong' });
    expect(page.statusCode).toBe(419);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('CSRF token mismatch.');
    const noSession = await t.app.inject({ method: 'POST', url: '/login', payload: { email: 'ada@example.com', password: PASSWORD, _token: 'x' } });
    expect(noSession.statusCode).toBe(419);
  });

  it('sends a failed login back to the form, which shows the error and keeps the email', async () => {
    const browser = new InjectBrowser(t.app);
    const res = await loginThroughForm(browser, 'ada@example.com', 'wrong password');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login');
    const page = await browser.get('/login');
    expect(page.body).toContain('role="alert"');
    expect(page.body).toContain('These credentials do not match our records.');
    expect(inputValue(page.body, 'email')).toBe('ada@example.com');
    // The message is shown once.
    expect((await browser.get('/login')).body).not.toContain('These credentials do not match our records.');

    const empty = await browser.post('/login', { _token: inputValue(page.body, '_token') ?? '' });
    expect(empty.statusCode).toBe(302);
    const again = await browser.get('/login');
    expect(again.body).toContain('The email field is required.');
    expect(again.body).toContain('The password field is required.');
  });

  it('answers a JSON login failure with Laravel 422', async () => {
    const browser = new InjectBrowser(t.app, { accept: 'application/json' });
    await browser.get('/login');
    const token = browser.jar.get('XSRF-TOKEN') ?? '';
    const res = await browser.request({ method: 'POST', url: '/login', json: { email: 'nobody@example.com', password: 'x' }, headers: { 'x-xsrf-token': token } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      message: 'These credentials do not match our records.',
      errors: { email: ['These credentials do not match our records.'] },
      status: 422,
    });
  });

  it('logs in with a new session id and CSRF token, destroying the old session (fixation)', async () => {
    const browser = new InjectBrowser(t.app);
    const before = await browser.get('/login');
    const oldId = browser.jar.get('authgate_session');
    const oldToken = inputValue(before.body, '_token');
    const res = await browser.post('/login', { _token: oldToken ?? '', email: 'ADA@example.com', password: PASSWORD });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/dashboard');
    const newId = browser.jar.get('authgate_session');
    expect(newId).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(newId).not.toBe(oldId);
    expect(await sessionRow(t, oldId)).toBeUndefined();
    const row = await sessionRow(t, newId);
    expect(row?.userId).toBe(userId);
    const payload = JSON.parse(row?.payload ?? '{}');
    expect(payload.csrfToken).not.toBe(oldToken);
    expect(payload.authTime).toBeGreaterThan(Date.now() / 1000 - 60);

    // The old id is worth nothing now.
    const stale = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `authgate_session=${oldId}` } });
    expect(stale.body).toContain('You are not logged in.');

    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Welcome, Ada &lt;Lovelace&gt;');
    expect(home.body).not.toContain('<Lovelace>');
    // An authenticated GET page refreshes the transient API cookie.
    const apiCookie = browser.jar.last.get('laravel_token');
    expect(apiCookie?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax' });

    const loginAgain = await browser.get('/login');
    expect(loginAgain.statusCode).toBe(302);
    expect(loginAgain.headers.location).toBe('/dashboard');
  });

  it('returns to the page that sent the visitor to the login form', async () => {
    const client = await t.storage.repositories.clients.create({ userId: null, name: 'Intended', secretHash: 'x', redirectUris: ['https://intended.example/cb'] });
    const browser = new InjectBrowser(t.app);
    const target = `/oauth/authorize?client_id=${client.id}&response_type=code&state=abc`;
    const guarded = await browser.get(target);
    expect(guarded.statusCode).toBe(302);
    expect(guarded.headers.location).toBe('/login');
    const res = await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(target);
    // Used once.
    const second = await browser.get('/login');
    expect(second.headers.location).toBe('/dashboard');
  });

  it('accepts only same-origin paths as the place to return to', () => {
    expect(safeIntendedPath('/oauth/authorize?client_id=1&redirect_uri=https%3A%2F%2Fa.example')).toBe('/oauth/authorize?client_id=1&redirect_uri=https%3A%2F%2Fa.example');
    expect(safeIntendedPath('/')).toBe('/');
    for (const bad of ['//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example/', 'http:evil.example', 'javascript:alert(1)', '/\t/evil.example', '/\n/evil.example', '/ok\\..\\', '', 'evil', 42]) {
      expect(safeIntendedPath(bad)).toBeUndefined();
    }
  });

  it('never redirects off-site after login, whatever the session was made to hold', async () => {
    const browser = new InjectBrowser(t.app);
    for (const intended of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      await browser.get('/login');
      const row = await sessionRow(t, browser.jar.get('authgate_session'));
      const payload = { ...JSON.parse(row?.payload ?? '{}'), intended };
      await t.storage.repositories.sessions.save({ ...(row as NonNullable<typeof row>), payload: JSON.stringify(payload) });
      const page = await browser.get('/login');
      const res = await browser.post('/login', { _token: inputValue(page.body, '_token') ?? '', email: 'ada@example.com', password: PASSWORD });
      expect(res.headers.location).toBe('/dashboard');
      await browser.post('/logout', { _token: inputValue((await browser.get('/')).body, '_token') ?? '' });
    }
  });

  it('logs out only with the CSRF token, destroying the session and clearing the API cookie', async () => {
    const browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    const home = await browser.get('/');
    const id = browser.jar.get('authgate_session');
    expect(browser.jar.get('laravel_token')).toBeDefined();
    const refused = await browser.post('/logout', {});
    expect(refused.statusCode).toBe(419);
    expect(await sessionRow(t, id)).toBeDefined();

    const res = await browser.post('/logout', { _token: inputValue(home.body, '_token') ?? '' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    expect(browser.jar.last.get('laravel_token')?.value).toBe('');
    expect(browser.jar.get('laravel_token')).toBeUndefined();
    expect(browser.jar.get('authgate_session')).toBeUndefined();
    expect(await sessionRow(t, id)).toBeUndefined();
    const after = await t.app.inject({ method: 'GET', url: '/', headers: { cookie: `authgate_session=${id}` } });
    expect(after.body).toContain('You are not logged in.');
  });

  it('ends a session idle for more than two hours', async () => {
    const browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    const id = browser.jar.get('authgate_session');
    const idle = Math.floor(Date.now() / 1000) - SESSION_IDLE_SECONDS - 5;
    await sql`update sessions set last_activity = ${idle} where id = ${sha256(id ?? '')}`.execute(t.storage.database.db);
    const res = await browser.get('/');
    expect(res.body).toContain('You are not logged in.');
    expect(await sessionRow(t, id)).toBeUndefined();
  });

  it('throttles failed logins per email and address (LOGIN_RATE_LIMIT) with 429 and Retry-After', async () => {
    const browser = new InjectBrowser(t.app);
    for (let i = 0; i < 3; i += 1) {
      const res = await loginThroughForm(browser, 'throttled@example.com', 'wrong');
      expect(res.statusCode).toBe(302);
    }
    const blocked = await loginThroughForm(browser, 'throttled@example.com', 'wrong');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toMatch(/Too many login attempts\. Please try again in \d+ seconds\./);
    const json = await browser.request({
      method: 'POST',
      url: '/login',
      form: { _token: inputValue((await browser.get('/login')).body, '_token') ?? '', email: 'throttled@example.com', password: 'x' },
      headers: { accept: 'application/json' },
    });
    expect(json.statusCode).toBe(429);
    expect(json.json()).toEqual({ message: 'Too Many Attempts.', status: 429 });
  });
});

describe('session cookies over https', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: 'https://auth.example' } });
  });
  afterAll(() => t.close());

  it('marks every cookie Secure when APP_URL is https', async () => {
    const browser = new InjectBrowser(t.app);
    await browser.get('/login');
    expect(browser.jar.last.get('authgate_session')?.attributes.secure).toBe(true);
    expect(browser.jar.last.get('XSRF-TOKEN')?.attributes.secure).toBe(true);
  });
});

describe.skipIf(!REDIS_URL)('sessions in Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ redis: true, database: POSTGRES_URL ? 'postgres' : 'sqlite' });
    await t.services.users.register({ name: 'Grace', email: 'grace@example.com', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('keeps sessions only in Redis, keyed by the id hash, expiring after the idle lifetime', async () => {
    const browser = new InjectBrowser(t.app);
    const res = await loginThroughForm(browser, 'grace@example.com', PASSWORD);
    expect(res.statusCode).toBe(302);
    const id = browser.jar.get('authgate_session') ?? '';
    const redis = t.services.redis;
    const key = `${t.services.config.redisPrefix}session:${sha256(id)}`;
    const ttl = await redis?.ttl(key);
    expect(ttl).toBeGreaterThan(SESSION_IDLE_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(SESSION_IDLE_SECONDS);
    expect(await redis?.keys(`${t.services.config.redisPrefix}session:*${id}*`)).toEqual([]);
    expect(await sessionRow(t, id)).toBeUndefined();
    expect((await browser.get('/')).body).toContain('Welcome, Grace');

    await browser.post('/logout', { _token: inputValue((await browser.get('/')).body, '_token') ?? '' });
    expect(await redis?.exists(key)).toBe(0);
  });
});
