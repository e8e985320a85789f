import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s256Challenge } from '../../src/oauth/pkce.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, inputValue, loginThroughForm } from '../helpers/cookie-jar.js';
import { testDatabases } from '../helpers/services.js';
import { codeVerifier, form, jwtPayload } from '../oauth/fixtures.js';

const PASSWORD = 'correct horse battery';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** A client's metadata document, served on loopback; counts fetches, and can be changed. */
async function documentServer(): Promise<{ url: string; hits: () => number; serve(document: unknown, headers?: Record<string, string>): void; close(): Promise<void> }> {
  let body = '{}';
  let extraHeaders: Record<string, string> = {};
  let hits = 0;
  const server: Server = createServer((_request, response) => {
    hits += 1;
    response.writeHead(200, { 'content-type': 'application/json', ...extraHeaders });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/oauth/client.json`,
    hits: () => hits,
    serve(document, headers = {}) {
      body = JSON.stringify(document);
      extraHeaders = headers;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.each(testDatabases())('client ID metadata documents on $label', ({ label }) => {
  let docs: Awaited<ReturnType<typeof documentServer>>;
  let t: TestApp | undefined;
  beforeAll(async () => {
    docs = await documentServer();
  });
  afterAll(() => docs.close());
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const documentFor = (url: string, extra: Record<string, unknown> = {}) => ({
    client_id: url,
    client_name: 'Agent <CLI>',
    client_uri: 'https://agent.example.com',
    redirect_uris: [REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    ...extra,
  });

  async function loggedIn(env: Record<string, string>): Promise<InjectBrowser> {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0', ...env } });
    await t.services.users.register({ name: 'Ada', email: 'ada@example.com', password: PASSWORD });
    const browser = new InjectBrowser(t.app);
    await loginThroughForm(browser, 'ada@example.com', PASSWORD);
    return browser;
  }

  const authorizeUrl = (clientId: string, verifier: string) =>
    `/oauth/authorize?${new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'users:read',
      state: 'xyz',
      code_challenge: s256Challenge(verifier),
      code_challenge_method: 'S256',
    }).toString()}`;

  it('resolves an https-style client_id by its document: consent, code, tokens, refresh', async () => {
    const browser = await loggedIn({ CIMD_ALLOW_PRIVATE: 'true' });
    docs.serve(documentFor(docs.url));
    const verifier = codeVerifier();
    const page = await browser.get(authorizeUrl(docs.url, verifier));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>Agent &lt;CLI&gt;</strong>');
    expect(page.body).toContain('not verified');
    // Who publishes it: the host its client_id (the document) is served from.
    expect(page.body).toContain(`<strong>${new URL(docs.url).host}</strong>`);
    expect(page.body).toContain('<strong>127.0.0.1:9</strong>');
    const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(page.body, name) ?? '']));
    const approved = await browser.post('/oauth/authorize', fields);
    expect(approved.statusCode).toBe(303);
    const code = new URL(String(approved.headers.location)).searchParams.get('code') ?? '';
    // A public client: its client_id alone, and the PKCE verifier.
    const exchange = form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: docs.url, code_verifier: verifier });
    const tokens = await t!.app.inject({ method: 'POST', url: '/oauth/token', payload: exchange.payload, headers: exchange.headers });
    expect(tokens.statusCode).toBe(200);
    const pair = tokens.json<{ access_token: string; refresh_token: string }>();
    expect(jwtPayload(pair.access_token)).toMatchObject({ client_id: docs.url, aud: docs.url });
    const refresh = form({ grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: docs.url });
    expect((await t!.app.inject({ method: 'POST', url: '/oauth/token', payload: refresh.payload, headers: refresh.headers })).statusCode).toBe(200);
    // Cached as the document's headers allow (at least 5 minutes): fetched once for all of it.
    expect(docs.hits()).toBe(1);
    // The user sees it among the applications they authorized.
    const authorized = await t!.app.inject({ url: '/oauth/tokens', headers: { accept: 'application/json', cookie: browser.jar.header() } });
    expect(authorized.json<{ client_id: string }[]>().map((token) => token.client_id)).toContain(docs.url);
  });

  it('asks for consent every time, even with a live token', async () => {
    const browser = await loggedIn({ CIMD_ALLOW_PRIVATE: 'true' });
    docs.serve(documentFor(docs.url));
    for (let i = 0; i < 2; i++) {
      const page = await browser.get(authorizeUrl(docs.url, codeVerifier()));
      expect(page.statusCode).toBe(200);
      const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(page.body, name) ?? '']));
      expect((await browser.post('/oauth/authorize', fields)).statusCode).toBe(303);
    }
  });

  it('refuses a document whose client_id is another URL, or that names a secret, with an error shown and no redirect', async () => {
    const browser = await loggedIn({ CIMD_ALLOW_PRIVATE: 'true' });
    for (const document of [documentFor('http://127.0.0.1:1/other.json'), documentFor(docs.url, { client_secret: 'x' })]) {
      docs.serve(document);
      await t!.cache.forget(`client:${docs.url}`);
      const page = await browser.get(authorizeUrl(docs.url, codeVerifier()));
      expect(page.statusCode).toBe(401);
      expect(page.headers.location).toBeUndefined();
    }
  });

  it('never fetches from a loopback address without CIMD_ALLOW_PRIVATE', async () => {
    const browser = await loggedIn({});
    docs.serve(documentFor(docs.url));
    const before = docs.hits();
    const page = await browser.get(authorizeUrl(docs.url, codeVerifier()));
    expect(page.statusCode).toBe(401);
    expect(docs.hits()).toBe(before);
  });

  it('is advertised in discovery, and can be switched off', async () => {
    t = await createTestApp({ database: label });
    expect((await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json()).toMatchObject({ client_id_metadata_document_supported: true });
    await t.close();
    t = await createTestApp({ database: label, env: { OAUTH_CLIENT_METADATA_DOCUMENTS: 'false', CIMD_ALLOW_PRIVATE: 'true' } });
    expect((await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json()).not.toHaveProperty('client_id_metadata_document_supported');
    docs.serve(documentFor(docs.url));
    const before = docs.hits();
    const res = await t.app.inject({ url: authorizeUrl(docs.url, codeVerifier()), headers: { accept: 'application/json' } });
    expect([400, 401]).toContain(res.statusCode);
    expect(docs.hits()).toBe(before);
  });
});
