import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/oauth/ports.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { testDatabases } from '../helpers/services.js';
import { newUser } from '../helpers/user-fixtures.js';
import { PASSWORD, answerThroughPages, loggedInBrowser, requestCodes } from './device-helpers.js';

const INVALID = 'The code is invalid or has expired.';

describe.each(testDatabases())('the device page /oauth/device on $label', ({ label: database }) => {
  let t: TestApp;
  let client: Client;
  let adaId: number;

  beforeAll(async () => {
    t = await createTestApp({ database, env: { TOKEN_RATE_LIMIT: '0' } });
    adaId = (await newUser(t, 'Ada')).id;
    client = await t.storage.repositories.clients.create({ userId: null, name: 'Evil <b>TV</b> & "Co"', secretHash: null, redirectUris: [] });
  });
  afterAll(() => t.close());

  async function userCode(scope = 'users:read users:write'): Promise<string> {
    const res = await requestCodes(t, { client_id: client.id, scope });
    return res.json<{ user_code: string }>().user_code;
  }

  const row = (code: string) =>
    t.storage.database.db.selectFrom('oauth_device_codes').selectAll().where('user_code', '=', code.replace('-', '')).executeTakeFirstOrThrow();

  it('sends a visitor to the login page and back to the code they followed', async () => {
    const code = await userCode();
    const browser = new InjectBrowser(t.app);
    const first = await browser.get(`/oauth/device?user_code=${code}`);
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe('/login');
    const login = await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe(`/oauth/device?user_code=${code}`);
    const page = await browser.get(String(login.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<label for="user_code">Code</label>');
    expect(inputValue(page.body, 'user_code')).toBe(code);
  });

  it('answers a JSON request without a session with 401', async () => {
    const res = await t.app.inject({ url: '/oauth/device', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
  });

  it('confirms the client and scopes, escaped, taking the code in any case and without the dash', async () => {
    const code = await userCode();
    const browser = await loggedInBrowser(t, 'ada@example.com');
    const entry = await browser.get('/oauth/device');
    expect(inputValue(entry.body, 'user_code')).toBe('');
    const confirm = await browser.post('/oauth/device', { _token: inputValue(entry.body, '_token') ?? '', user_code: ` ${code.replace('-', '').toLowerCase()} ` });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<strong>Evil &lt;b&gt;TV&lt;/b&gt; &amp; &quot;Co&quot;</strong>');
    expect(confirm.body).not.toContain('<b>TV</b>');
    expect(confirm.body).toContain('<li>Read user profiles</li>');
    expect(confirm.body).toContain('<li>Create users</li>');
    expect(confirm.body).toContain(`<strong>${code}</strong>`);
    expect(confirm.body).toMatch(/<input type="hidden" name="action" value="approve">\s*<button type="submit">Approve<\/button>/);
    expect(confirm.body).toMatch(/<input type="hidden" name="action" value="deny">\s*<button type="submit" class="secondary">Deny<\/button>/);
    expect(inputValue(confirm.body, 'user_code')).toBe(code);
    // Looking a code up changes nothing.
    expect(await row(code)).toMatchObject({ user_id: null, user_approved_at: null });
  });

  it('records the approval with the user and the time, once', async () => {
    const code = await userCode();
    const browser = await loggedInBrowser(t, 'ada@example.com');
    const done = await answerThroughPages(browser, code, 'approve');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('<h1>Device connected</h1>');
    const stored = await row(code);
    expect(Number(stored.user_id)).toBe(adaId);
    expect(stored.user_approved_at).not.toBeNull();
    expect(Boolean(stored.revoked)).toBe(false);
    // The code is no longer pending: a second answer is refused.
    const again = await browser.post('/oauth/device', { _token: inputValue(done.body, '_token') ?? '', user_code: code, action: 'deny' });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain(INVALID);
  });

  it('records a denial as a revoked code without an approval time', async () => {
    const code = await userCode();
    const done = await answerThroughPages(await loggedInBrowser(t, 'ada@example.com'), code, 'deny');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('<h1>Request denied</h1>');
    const stored = await row(code);
    expect(Number(stored.user_id)).toBe(adaId);
    expect(stored.user_approved_at).toBeNull();
    expect(Boolean(stored.revoked)).toBe(true);
  });

  it('shows the form again, escaped, for a wrong or expired code', async () => {
    const browser = await loggedInBrowser(t, 'ada@example.com');
    const entry = await browser.get('/oauth/device');
    const token = inputValue(entry.body, '_token') ?? '';
    const wrong = await browser.post('/oauth/device', { _token: token, user_code: '"><script>x</script>' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain(INVALID);
    expect(wrong.body).toContain('aria-invalid="true"');
    expect(wrong.body).not.toContain('<script>x</script>');
    expect(inputValue(wrong.body, 'user_code')).toBe('"><script>x</script>');

    const code = await userCode();
    await t.storage.database.db.updateTable('oauth_device_codes').set({ expires_at: '2000-01-01 00:00:00' }).where('user_code', '=', code.replace('-', '')).execute();
    const expired = await browser.post('/oauth/device', { _token: token, user_code: code });
    expect(expired.statusCode).toBe(422);
    expect(expired.body).toContain(INVALID);
  });

  it('checks CSRF first (419), then the session (401)', async () => {
    const code = await userCode();
    const browser = await loggedInBrowser(t, 'ada@example.com');
    const forged = await browser.post('/oauth/device', { user_code: code, action: 'approve' }, { accept: 'application/json' });
    expect(forged.statusCode).toBe(419);
    expect(forged.json()).toEqual({ message: 'CSRF token mismatch.', status: 419 });
    expect(await row(code)).toMatchObject({ user_id: null });

    const anonymous = new InjectBrowser(t.app, { accept: 'application/json' });
    const page = await anonymous.get('/login');
    const noSession = await anonymous.post('/oauth/device', { _token: inputValue(page.body, '_token') ?? '', user_code: code, action: 'approve' });
    expect(noSession.statusCode).toBe(401);
    expect(noSession.json()).toEqual({ message: 'Unauthenticated.', status: 401 });
  });

  it('refuses an unknown action', async () => {
    const code = await userCode();
    const browser = await loggedInBrowser(t, 'ada@example.com');
    const entry = await browser.get('/oauth/device');
    const res = await browser.post('/oauth/device', { _token: inputValue(entry.body, '_token') ?? '', user_code: code, action: 'maybe' }, { accept: 'application/json' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ message: 'The selected action is invalid.', errors: { action: ['The selected action is invalid.'] }, status: 422 });
  });
});
