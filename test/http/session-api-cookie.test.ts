import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCookieSigner } from '../../src/accounts/api-cookie.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { POSTGRES_URL, REDIS_URL } from '../helpers/services.js';

const setups = [
  { label: 'sqlite', database: 'sqlite' as const, redis: false },
  ...(POSTGRES_URL ? [{ label: 'postgres', database: 'postgres' as const, redis: false }] : []),
  ...(POSTGRES_URL && REDIS_URL ? [{ label: 'postgres + redis sessions', database: 'postgres' as const, redis: true }] : []),
];
const CSRF_MISMATCH = { message: 'CSRF token mismatch.', status: 419 };
const UNAUTHENTICATED = { message: 'Unauthenticated.', status: 401 };
const PASSWORD = 'correct horse battery';

/** A logged-in browser holding its session, XSRF-TOKEN and laravel_token cookies, and the page's CSRF token. */
async function loggedIn(t: TestApp, email: string) {
  const browser = new InjectBrowser(t.app);
  await loginThroughForm(browser, email, PASSWORD);
  const home = await browser.get('/');
  const csrf = inputValue(home.body, '_token') ?? '';
  return { browser, csrf };
}

describe.each(setups)('the transient API cookie and CSRF on $label', ({ database, redis }) => {
  let t: TestApp;
  let userId: number;
  beforeAll(async () => {
    t = await createTestApp({ database, redis });
    userId = (await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD })).id;
    await t.services.users.register({ name: 'Bob', email: 'bob@example.com', password: PASSWORD });
  });
  afterAll(() => t.close());

  it('is set on authenticated GET pages only, HttpOnly, and is a short-lived HS256 token', async () => {
    const guest = new InjectBrowser(t.app);
    await guest.get('/');
    expect(guest.jar.get('laravel_token')).toBeUndefined();
    const { browser } = await loggedIn(t, 'ada@example.com');
    const cookie = browser.jar.last.get('laravel_token');
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/', 'max-age': '7200' });
    const [header] = (cookie?.value ?? '').split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    // JSON responses do not refresh it.
    await browser.request({ url: '/oauth/scopes', headers: { accept: 'application/json' } });
    expect(browser.jar.last.get('laravel_token')).toBeUndefined();
  });

  it('authenticates /api/* only together with a matching X-CSRF-TOKEN or X-XSRF-TOKEN header', async () => {
    const { browser, csrf } = await loggedIn(t, 'ada@example.com');
    const apiCookie = browser.jar.get('laravel_token') ?? '';
    const call = (headers: Record<string, string>) =>
      t.app.inject({ method: 'GET', url: '/api/user', headers: { accept: 'application/json', cookie: `laravel_token=${apiCookie}`, ...headers } });

    const alone = await call({});
    expect(alone.statusCode).toBe(401);
    expect(alone.json()).toEqual(UNAUTHENTICATED);
    expect((await call({ 'x-csrf-token': 'not-the-token' })).statusCode).toBe(401);

    const withHeader = await call({ 'x-csrf-token': csrf });
    expect(withHeader.statusCode).toBe(200);
    expect(withHeader.json()).toMatchObject({ id: userId, email: 'ada@example.com' });

    const xsrf = browser.jar.get('XSRF-TOKEN') ?? '';
    expect((await call({ 'x-xsrf-token': xsrf })).statusCode).toBe(200);
    expect((await call({ 'x-xsrf-token': decodeURIComponent(xsrf) })).statusCode).toBe(200);
    // The bare token is not the XSRF cookie: X-XSRF-TOKEN must carry the signed cookie value.
    expect((await call({ 'x-xsrf-token': csrf })).statusCode).toBe(401);
  });

  it('refuses a cookie bound to another session, tampered with, expired or signed with another key', async () => {
    const ada = await loggedIn(t, 'ada@example.com');
    const bob = await loggedIn(t, 'bob@example.com');
    const call = (cookie: string, csrf: string) =>
      t.app.inject({ method: 'GET', url: '/api/user', headers: { accept: 'application/json', cookie: `laravel_token=${cookie}`, 'x-csrf-token': csrf } });
    const adaCookie = ada.browser.jar.get('laravel_token') ?? '';
    expect((await call(adaCookie, bob.csrf)).statusCode).toBe(401);
    const [h, p, s] = adaCookie.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url');
    expect((await call(`${h}.${forged}.${s}`, ada.csrf)).statusCode).toBe(401);
    const otherKey = await new ApiCookieSigner('base64:another-key', 7200).issue(userId, ada.csrf);
    expect((await call(otherKey, ada.csrf)).statusCode).toBe(401);
    const none = await new SignJWT({ csrf: claims.csrf }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(userId)).setExpirationTime('-1s').sign(new Uint8Array(32));
    expect((await call(none, ada.csrf)).statusCode).toBe(401);
    const expired = await new ApiCookieSigner(t.services.appKey, -10).issue(userId, ada.csrf);
    expect((await call(expired, ada.csrf)).statusCode).toBe(401);
    expect((await call(adaCookie, ada.csrf)).statusCode).toBe(200);
  });

  it('answers POST /oauth/token/refresh without a session or CSRF token with 419, as the reference shows', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token/refresh',
      headers: { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(419);
    expect(res.json()).toEqual(CSRF_MISMATCH);
  });

  it('refreshes the API cookie for a logged-in session with the CSRF token', async () => {
    const { browser, csrf } = await loggedIn(t, 'ada@example.com');
    const refused = await browser.request({ method: 'POST', url: '/oauth/token/refresh', headers: { accept: 'application/json' } });
    expect(refused.statusCode).toBe(419);
    expect(refused.json()).toEqual(CSRF_MISMATCH);

    const res = await browser.request({ method: 'POST', url: '/oauth/token/refresh', headers: { 'x-csrf-token': csrf } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('Refreshed.');
    const fresh = browser.jar.last.get('laravel_token');
    expect(fresh?.attributes).toMatchObject({ httponly: true, samesite: 'Lax' });
    const me = await browser.request({ url: '/api/user', headers: { accept: 'application/json', 'x-csrf-token': csrf } });
    expect(me.statusCode).toBe(200);

    // A guest with a session and its CSRF token: 401 after the CSRF check.
    const guest = new InjectBrowser(t.app);
    const page = await guest.get('/login');
    const unauth = await guest.request({ method: 'POST', url: '/oauth/token/refresh', headers: { accept: 'application/json', 'x-csrf-token': inputValue(page.body, '_token') ?? '' } });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.json()).toEqual(UNAUTHENTICATED);
  });

  it('lets the management API be called with the session cookie and the CSRF header', async () => {
    const { browser, csrf } = await loggedIn(t, 'ada@example.com');
    const list = await browser.request({ url: '/oauth/clients', headers: { accept: 'application/json' } });
    expect(list.statusCode).toBe(200);
    const noCsrf = await browser.request({ method: 'POST', url: '/oauth/clients', json: { name: 'App', redirect: 'https://app.example/cb' }, headers: { accept: 'application/json' } });
    expect(noCsrf.statusCode).toBe(419);
    expect(noCsrf.json()).toEqual(CSRF_MISMATCH);
    const viaXsrf = await browser.request({
      method: 'POST',
      url: '/oauth/clients',
      json: { name: 'App', redirect: 'https://app.example/cb' },
      headers: { accept: 'application/json', 'x-xsrf-token': browser.jar.get('XSRF-TOKEN') ?? '' },
    });
    expect(viaXsrf.statusCode).toBe(201);
    const viaHeader = await browser.request({
      method: 'POST',
      url: '/oauth/clients',
      json: { name: 'App 2', redirect: 'https://app.example/cb' },
      headers: { accept: 'application/json', 'x-csrf-token': csrf },
    });
    expect(viaHeader.statusCode).toBe(201);
  });

  it('checks CSRF on every cookie-authenticated write', async () => {
    const { browser } = await loggedIn(t, 'ada@example.com');
    const writes: { method: 'POST' | 'DELETE'; url: string }[] = [
      { method: 'POST', url: '/logout' },
      { method: 'POST', url: '/login' },
      { method: 'POST', url: '/oauth/authorize' },
      { method: 'DELETE', url: '/oauth/authorize' },
      { method: 'POST', url: '/oauth/token/refresh' },
      { method: 'POST', url: '/oauth/clients' },
      { method: 'POST', url: '/oauth/personal-access-tokens' },
    ];
    for (const write of writes) {
      const res = await browser.request({ ...write, form: { _token: 'forged' }, headers: { accept: 'application/json' } });
      expect({ ...write, status: res.statusCode, body: res.json() }).toEqual({ ...write, status: 419, body: CSRF_MISMATCH });
    }
    // Still logged in: none of them did anything.
    expect((await browser.get('/')).body).toContain('Welcome, Ada');
  });

  it('stops accepting the session after logout', async () => {
    const { browser, csrf } = await loggedIn(t, 'ada@example.com');
    const sessionCookie = browser.jar.header();
    await browser.post('/logout', { _token: csrf });
    const replay = await t.app.inject({ method: 'GET', url: '/oauth/clients', headers: { accept: 'application/json', cookie: sessionCookie.replace(/laravel_token=[^;]*;?\s*/, '') } });
    expect(replay.statusCode).toBe(401);
  });
});
