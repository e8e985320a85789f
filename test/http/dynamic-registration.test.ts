import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../src/http/docs/document.js';
import { s256Challenge } from '../../src/oauth/pkce.js';
import { sha256 } from '../../src/oauth/random-tokens.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { UUID } from '../helpers/bearer-user.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import { basic, codeVerifier, form } from '../oauth/fixtures.js';
import type { ClientInformation } from './dynamic-registration-helpers.js';
import { INITIAL_TOKEN_INVALID, LOOPBACK, REDIRECT, expectInvalidToken, postRegistration, registerClient } from './dynamic-registration-helpers.js';

const BASE = 'https://auth.example.com';
const databases = testDatabases().map((database) => database.label);

function tokenRequest(t: TestApp, params: Record<string, string>, authorization?: string) {
  const body = form(params);
  return t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, ...(authorization ? { authorization } : {}) } });
}

describe('OAUTH_DYNAMIC_REGISTRATION=off (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: BASE } });
  });
  afterAll(() => t.close());

  it('has no registration routes, and discovery names no registration_endpoint', async () => {
    const post = await postRegistration(t, { redirect_uris: [REDIRECT] });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toEqual({ message: 'The route oauth/register could not be found.', status: 404 });
    const read = await t.app.inject({ url: `/oauth/register/${'0'.repeat(8)}`, headers: { accept: 'application/json' } });
    expect(read.statusCode).toBe(404);
    const discovery = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json<Record<string, unknown>>();
    expect(discovery).not.toHaveProperty('registration_endpoint');
    const document = (await t.app.inject({ url: '/docs/openapi.json' })).json<OpenApiDocument>();
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/oauth/register'))).toEqual([]);
  });
});

describe.each(databases)('OAUTH_DYNAMIC_REGISTRATION=open on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { APP_URL: BASE, OAUTH_DYNAMIC_REGISTRATION: 'open', DYNAMIC_REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(() => t.close());

  it('registers a confidential client: 201 with the RFC 7591 §3.2.1 body, never cached, stored hashed and owned by nobody', async () => {
    const metadata = {
      client_name: 'Billing bot',
      redirect_uris: [REDIRECT, LOOPBACK],
      grant_types: ['authorization_code', 'client_credentials'],
      scope: 'users:read openid',
      client_uri: 'https://bot.example',
      logo_uri: 'https://bot.example/logo.png',
      tos_uri: 'https://bot.example/tos',
      policy_uri: 'https://bot.example/privacy',
      contacts: ['ops@bot.example'],
      software_id: 'billing-bot',
      software_version: '1.2.3',
      an_extension: 'ignored (RFC 7591 §2)',
    };
    const before = Math.floor(Date.now() / 1000);
    const res = await postRegistration(t, metadata);
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const body = res.json<ClientInformation>();
    expect(body).toEqual({
      client_id: expect.stringMatching(UUID),
      client_secret: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
      client_id_issued_at: expect.any(Number),
      client_secret_expires_at: 0,
      registration_access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_client_uri: `${BASE}/oauth/register/${body.client_id}`,
      client_name: 'Billing bot',
      redirect_uris: [REDIRECT, LOOPBACK],
      // `refresh_token` comes with authorization_code: Authgate's code grant issues refresh tokens.
      grant_types: ['authorization_code', 'client_credentials', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'users:read openid',
      client_uri: 'https://bot.example',
      logo_uri: 'https://bot.example/logo.png',
      tos_uri: 'https://bot.example/tos',
      policy_uri: 'https://bot.example/privacy',
      contacts: ['ops@bot.example'],
      software_id: 'billing-bot',
      software_version: '1.2.3',
    });
    expect(Object.keys(body).slice(0, 6)).toEqual([
      'client_id', 'client_secret', 'client_id_issued_at', 'client_secret_expires_at', 'registration_access_token', 'registration_client_uri',
    ]);
    expect(body.client_id_issued_at).toBeGreaterThanOrEqual(before - 1);
    expect(body.client_id_issued_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const stored = await t.storage.repositories.clients.findById(body.client_id);
    expect(stored).toMatchObject({ userId: null, origin: 'dynamic', skipsAuthorization: false, revoked: false, name: 'Billing bot' });
    expect(stored?.secretHash).toMatch(/^hmac-sha256\$/);
    expect(stored?.secretHash).not.toContain(body.client_secret);
    const row = await sql<{ registration_token: string }>`select registration_token from oauth_clients where id = ${body.client_id}`.execute(t.storage.database.db);
    expect(row.rows[0]?.registration_token).toBe(sha256(body.registration_access_token));
    expect((await t.services.clients.listAll()).map((client) => client.id)).toContain(body.client_id);
  });

  it('registers a public client from redirect_uris alone, with the defaults applied', async () => {
    const body = await registerClient(t, { redirect_uris: [LOOPBACK], token_endpoint_auth_method: 'none' });
    expect(body).toEqual({
      client_id: expect.stringMatching(UUID),
      client_id_issued_at: expect.any(Number),
      registration_access_token: expect.any(String),
      registration_client_uri: `${BASE}/oauth/register/${body.client_id}`,
      client_name: '127.0.0.1',
      redirect_uris: [LOOPBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect((await t.storage.repositories.clients.findById(body.client_id))?.secretHash).toBeNull();
  });

  it('accepts scopes a registered resource declares (bug: the MCP SDK registers with its MCP server\'s scopes and was refused)', async () => {
    // The MCP SDK sends the scope of the server's challenge or RFC 9728 document in its registration.
    expect((await t.services.resources.create({ uri: 'https://mcp.example.com/mcp', name: 'Notes MCP', scopes: ['notes:read', 'notes:write'] })).ok).toBe(true);
    const body = await registerClient(t, { redirect_uris: [LOOPBACK], token_endpoint_auth_method: 'none', scope: 'notes:read openid' });
    expect(body.scope).toBe('notes:read openid');
    // A scope nobody declares is still refused.
    const refused = await postRegistration(t, { redirect_uris: [LOOPBACK], scope: 'notes:read notes:delete' });
    expectOAuthError(refused, { status: 400, error: 'invalid_client_metadata', description: 'scope names an undeclared scope: notes:delete.' });
  });

  it('keeps every character of a name on this database, and ignores unknown fields whatever they hold', async () => {
    const body = await registerClient(t, { client_name: 'Zoë’s 📝 Notes', redirect_uris: [REDIRECT], 'client_name#ja': 'ノート', x: 'nul \u0000 byte' });
    expect(body.client_name).toBe('Zoë’s 📝 Notes');
    expect(body).not.toHaveProperty('x');
    expect((await t.storage.repositories.clients.findById(body.client_id))?.name).toBe('Zoë’s 📝 Notes');
  });

  it('lets a confidential client use the client_credentials grant it registered, and refuses the grants it did not', async () => {
    const machine = await registerClient(t, { grant_types: ['client_credentials'], scope: 'users:read' });
    expect(machine.redirect_uris).toEqual([]);
    expect(machine.response_types).toEqual([]);
    const auth = basic(machine.client_id, machine.client_secret ?? '');
    const token = await tokenRequest(t, { grant_type: 'client_credentials', scope: 'users:read' }, auth);
    expect(token.statusCode).toBe(200);
    expect(token.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    expectOAuthError(await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: 'x' }, auth), {
      status: 400,
      error: 'unauthorized_client',
      hint: 'The client may not use the `refresh_token` grant',
    });

    const codeOnly = await registerClient(t, { redirect_uris: [REDIRECT] });
    expectOAuthError(await tokenRequest(t, { grant_type: 'client_credentials' }, basic(codeOnly.client_id, codeOnly.client_secret ?? '')), {
      status: 400,
      error: 'unauthorized_client',
      hint: 'The client may not use the `client_credentials` grant',
    });
  });

  it('refuses client_credentials to a public client, at registration and at the token endpoint', async () => {
    const refused = await postRegistration(t, { token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] });
    expectOAuthError(refused, {
      status: 400,
      error: 'invalid_client_metadata',
      description: 'A public client (token_endpoint_auth_method none) cannot use the client_credentials grant.',
    });
    const spa = await registerClient(t, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    expectOAuthError(await tokenRequest(t, { grant_type: 'client_credentials', client_id: spa.client_id }), { status: 401, error: 'invalid_client' });
  });

  it('lets a registered public client complete the authorization code flow with PKCE, then refresh', async () => {
    const client = await registerClient(t, { client_name: 'Notes app', redirect_uris: [LOOPBACK], token_endpoint_auth_method: 'none' });
    await t.services.users.register({ name: 'Ada', email: `ada-${database}@example.com`, password: 'correct horse battery' });
    const browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, `ada-${database}@example.com`, 'correct horse battery');
    const verifier = codeVerifier();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: 'http://127.0.0.1:50123/callback',
      scope: 'users:read',
      state: 's1',
      code_challenge: s256Challenge(verifier),
      code_challenge_method: 'S256',
    });
    const consent = await browser.get(`/oauth/authorize?${query.toString()}`);
    // A registered client is never first-party: the user is asked.
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Notes app');
    const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(consent.body, name) ?? '']));
    const approved = await browser.post('/oauth/authorize', fields);
    expect(approved.statusCode).toBe(303);
    const callback = new URL(String(approved.headers.location));
    expect(callback.origin + callback.pathname).toBe('http://127.0.0.1:50123/callback');
    const code = callback.searchParams.get('code') ?? '';
    const exchanged = await tokenRequest(t, {
      grant_type: 'authorization_code',
      client_id: client.client_id,
      code,
      redirect_uri: 'http://127.0.0.1:50123/callback',
      code_verifier: verifier,
    });
    expect(exchanged.statusCode).toBe(200);
    const pair = exchanged.json<{ access_token: string; refresh_token: string }>();
    expect(await t.services.tokens.authenticate(pair.access_token)).toBeDefined();
    const refreshed = await tokenRequest(t, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: pair.refresh_token });
    expect(refreshed.statusCode).toBe(200);
  });

  it('refuses a NUL byte in client_name with a 400 on this database, and stores nothing', async () => {
    const before = (await t.services.clients.listAll()).length;
    expectOAuthError(await postRegistration(t, { client_name: 'Evil\u0000App', redirect_uris: [REDIRECT] }), {
      status: 400,
      error: 'invalid_client_metadata',
      description: 'client_name must not contain control characters.',
    });
    expect((await t.services.clients.listAll()).length).toBe(before);
  });

  it('advertises registration_endpoint in both discovery documents', async () => {
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await t.app.inject({ url })).json<Record<string, unknown>>();
      expect(metadata.registration_endpoint).toBe(`${BASE}/oauth/register`);
    }
  });

  it('documents the registration routes (summary, tag, body, answers), in OpenAPI, the docs page and the Postman collection', async () => {
    const document = (await t.app.inject({ url: '/docs/openapi.json' })).json<OpenApiDocument>();
    const register = document.paths['/oauth/register']?.post;
    expect(register).toMatchObject({ summary: 'Register a client (RFC 7591)', tags: ['OAuth'], security: [] });
    expect(register?.requestBody?.content['application/json']?.schema?.properties).toHaveProperty('redirect_uris');
    expect(Object.keys(register?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '429']));
    const item = document.paths['/oauth/register/{client_id}'] ?? {};
    expect(Object.keys(item).sort()).toEqual(['delete', 'get', 'put']);
    for (const operation of Object.values(item)) {
      expect(operation.summary).toMatch(/RFC 7592/);
      expect(operation.security).toEqual([{ registrationToken: [] }]);
      expect(operation.responses['401']?.content?.['application/json']?.example).toMatchObject({ error: 'invalid_token' });
    }
    // The checks docs.test.ts makes of every operation hold with registration on too.
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        expect(ids.has(operation.operationId ?? ''), `${method} ${path}`).toBe(false);
        ids.add(operation.operationId ?? '');
        expect(Object.keys(operation.responses).some((status) => /^[23]\d\d$/.test(status)), `${method} ${path}`).toBe(true);
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort());
      }
    }
    expect((await t.app.inject({ url: '/docs' })).body).toContain('/oauth/register/{client_id}');
    expect(JSON.stringify((await t.app.inject({ url: '/docs/collection.json' })).json())).toContain('oauth/register');
  });
});

describe.each(databases)('OAUTH_DYNAMIC_REGISTRATION=token on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { OAUTH_DYNAMIC_REGISTRATION: 'token', DYNAMIC_REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(() => t.close());

  it('answers 401 invalid_token without an initial access token, or with a wrong, expired or revoked one', async () => {
    const body = { redirect_uris: [REDIRECT] };
    expectInvalidToken(await postRegistration(t, body), INITIAL_TOKEN_INVALID);
    expectInvalidToken(await postRegistration(t, body, 'not-a-token'), INITIAL_TOKEN_INVALID);
    const asBasic = await t.app.inject({ method: 'POST', url: '/oauth/register', headers: { 'content-type': 'application/json', authorization: 'Basic Zm9vOmJhcg==' }, payload: JSON.stringify(body) });
    expectInvalidToken(asBasic, INITIAL_TOKEN_INVALID);

    const expired = 'expired-initial-access-token-expired-initial';
    const past = new Date(Date.now() - 3600_000);
    await t.storage.repositories.initialAccessTokens.create({ id: sha256(expired), name: 'old', createdAt: new Date(past.getTime() - 60_000), expiresAt: past });
    expectInvalidToken(await postRegistration(t, body, expired), INITIAL_TOKEN_INVALID);

    const revoked = await t.core.initialAccessTokens.create({ name: 'revoked' });
    expect(await t.core.initialAccessTokens.revoke(revoked.token)).toBe('revoked');
    expectInvalidToken(await postRegistration(t, body, revoked.token), INITIAL_TOKEN_INVALID);
    expect((await t.services.clients.listAll()).filter((client) => client.origin === 'dynamic')).toEqual([]);
  });

  it('registers with a live initial access token, again and again until it expires', async () => {
    const live = await t.core.initialAccessTokens.create({ name: 'ci', ttlSeconds: 3600 });
    const first = await registerClient(t, { redirect_uris: [REDIRECT] }, live.token);
    const second = await registerClient(t, { redirect_uris: [REDIRECT], client_name: 'Second' }, live.token);
    expect(first.client_id).not.toBe(second.client_id);
    // Validation comes after the token: a bad body with a good token is a 400, not a 401.
    expectOAuthError(await postRegistration(t, { redirect_uris: 'nope' }, live.token), {
      status: 400,
      error: 'invalid_redirect_uri',
      description: 'redirect_uris must be an array of strings.',
    });
  });
});
