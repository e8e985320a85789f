import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { inputValue } from '../helpers/cookie-jar.js';
import { FetchBrowser } from '../helpers/fetch-browser.js';
import { freePort } from '../helpers/free-port.js';
import { testDatabases } from '../helpers/services.js';
import type { LoopbackServer } from '../net/loopback-servers.js';
import { json, selfSignedCertificate, startServer } from '../net/loopback-servers.js';
import { jwtPayload } from '../oauth/fixtures.js';
import { MemoryOAuthProvider } from './memory-oauth-provider.js';
import type { Caller, NotesMcpServer } from './notes-mcp-server.js';
import { startNotesMcpServer } from './notes-mcp-server.js';

/**
 * The crowning test of issue 8: the official MCP TypeScript SDK, unmodified, end to end. Authgate
 * listens on a real loopback port; a notes MCP server (the SDK's Streamable HTTP transport)
 * is protected by `authgate/resource-server`; the SDK's client with an in-memory OAuth provider
 * finds Authgate from the server's 401, gets a client id (a client ID metadata document served
 * over https, or dynamic registration), sends the user through login and consent (played here
 * with a cookie jar over HTTP), exchanges the code, calls a tool, and refreshes when its
 * access token expires. Tokens for another resource, or for none, are refused by the server.
 */

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';
/** Where the client would receive the user back; nothing needs to listen there (the browser stops at it). */
const REDIRECT_URL = 'http://127.0.0.1:33418/callback';
/** Short-lived access tokens for the MCP server, so the test sees the SDK refresh them. */
const TOKEN_TTL_SECONDS = 2;

const clientMetadata: OAuthClientMetadata = {
  client_name: 'Notes agent',
  redirect_uris: [REDIRECT_URL],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

/** One request the SDK made (the transport's `fetch` carries its discovery, registration and token calls too). */
interface Sent {
  method: string;
  url: string;
  body: string | undefined;
  status: number;
}

function recordingFetch(log: Sent[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const body = init?.body instanceof URLSearchParams ? init.body.toString() : typeof init?.body === 'string' ? init.body : undefined;
    const url = input instanceof Request ? input.url : String(input);
    log.push({ method: init?.method ?? 'GET', url, body, status: response.status });
    return response;
  };
}

/** The requests, as `METHOD url status` lines. */
const trail = (log: Sent[]) => log.map((sent) => `${sent.method} ${sent.url} ${sent.status}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabases())('a stock MCP SDK client against Authgate on $label', ({ label }) => {
  let t: TestApp;
  let base: string;
  let mcp: NotesMcpServer;
  let documents: LoopbackServer;
  let certDir: string;
  let userId: string;
  let documentUrl: string;
  let otherResource: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    // The SDK only sends an https clientMetadataUrl: the document is served over TLS on
    // loopback with a self-signed certificate, which Authgate is told to trust (CIMD_CA_FILE).
    const certificate = selfSignedCertificate(['localhost']);
    certDir = mkdtempSync(join(tmpdir(), 'authgate-mcp-'));
    const caFile = join(certDir, 'ca.pem');
    writeFileSync(caFile, certificate.cert);
    documents = await startServer((req, res) => {
      if (req.url !== '/agent/client.json') return void res.writeHead(404).end();
      json(res, { client_id: documentUrl, ...clientMetadata }, { 'cache-control': 'max-age=600' });
    }, certificate);
    documentUrl = `https://127.0.0.1:${documents.port}/agent/client.json`;

    const [authPort, mcpPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${authPort}`;
    // REFRESH_TOKEN_REUSE_INTERVAL: an agent calling tools in parallel refreshes in parallel (see below).
    t = await createTestApp({
      database: label,
      env: { APP_URL: base, OAUTH_DYNAMIC_REGISTRATION: 'open', CIMD_ALLOW_PRIVATE: 'true', CIMD_CA_FILE: caFile, REFRESH_TOKEN_REUSE_INTERVAL: '30s' },
    });
    userId = String((await t.services.users.register({ name: 'Ada', email: EMAIL, password: PASSWORD })).id);
    // Clock tolerance 0, so a token of TOKEN_TTL_SECONDS is refused as soon as it expires.
    mcp = await startNotesMcpServer({ issuer: base, port: mcpPort, clockToleranceSeconds: 0 });
    otherResource = `http://127.0.0.1:${mcpPort}/other-mcp`;
    for (const resource of [
      { uri: mcp.url, name: 'Notes MCP', scopes: ['notes:read', 'notes:write'], tokenTtl: TOKEN_TTL_SECONDS },
      { uri: otherResource, name: 'Other MCP', scopes: ['notes:read'] },
    ]) {
      expect((await t.services.resources.create(resource)).ok).toBe(true);
    }
    await t.app.listen({ port: authPort, host: '127.0.0.1' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await mcp?.close();
    await documents?.close();
    await t?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  /** Plays the user in a browser: login, consent (checked), approve; returns the consent page and where the browser was sent. */
  async function userApproves(url: URL): Promise<{ consent: string; callback: URL }> {
    expect(url.origin).toBe(base);
    const browser = new FetchBrowser(base);
    const first = await browser.follow(await browser.request(url.href));
    expect(first.leftTo).toBeUndefined();
    const login = await first.response.text();
    expect(login).toContain('Log in');
    const loggedIn = await browser.request('/login', { method: 'POST', form: { _token: inputValue(login, '_token') ?? '', email: EMAIL, password: PASSWORD } });
    const shown = await browser.follow(loggedIn);
    expect(shown.leftTo).toBeUndefined();
    expect(shown.response.status).toBe(200);
    const consent = await shown.response.text();
    expect(consent).toContain('Authorization request');
    const fields = Object.fromEntries(['_token', 'state', 'client_id', 'auth_token'].map((name) => [name, inputValue(consent, name) ?? '']));
    const approved = await browser.request('/oauth/authorize', { method: 'POST', form: fields });
    expect(approved.status).toBe(303);
    const callback = new URL(approved.headers.get('location') ?? '');
    return { consent, callback };
  }

  /** A Client on a fresh transport (as an MCP application reconnects), closed after the test. */
  async function connect(provider: MemoryOAuthProvider, log: Sent[]): Promise<Client> {
    const client = new Client({ name: 'notes-agent', version: '1.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: recordingFetch(log) }));
    return client;
  }

  async function whoami(client: Client): Promise<Caller> {
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const [content] = result.content as Array<{ type: string; text: string }>;
    return JSON.parse(content?.text ?? '{}') as Caller;
  }

  /**
   * The first connection, as an MCP application makes it: the server's 401 sends the SDK
   * through discovery to Authgate and the user to the authorization URL; the user approves;
   * the transport that threw exchanges the code (finishAuth); a new transport connects.
   */
  async function authorizeAndConnect(provider: MemoryOAuthProvider, log: Sent[]): Promise<{ consent: string; client: Client }> {
    const refused = new Client({ name: 'notes-agent', version: '1.0.0' });
    clients.push(refused);
    const transport = new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider, fetch: recordingFetch(log) });
    await expect(refused.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const url = provider.authorizationUrl;
    if (!url) throw new Error('the SDK did not send the user to the authorization server');
    expect(url.origin + url.pathname).toBe(`${base}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: provider.clientInformation()?.client_id,
      redirect_uri: REDIRECT_URL,
      code_challenge_method: 'S256',
      // RFC 8707 from the RFC 9728 document; the scope from the server's challenge.
      resource: mcp.url,
      scope: 'notes:read',
      state: provider.states.at(-1),
    });

    const { consent, callback } = await userApproves(url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URL);
    // RFC 9207: the issuer comes back with the code; and the client's state, unchanged.
    expect(callback.searchParams.get('iss')).toBe(base);
    expect(callback.searchParams.get('state')).toBe(provider.states.at(-1));
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`no code in ${callback.href}`);
    await transport.finishAuth(code);
    return { consent, client: await connect(provider, log) };
  }

  /** The token requests the SDK made, as form fields. */
  const tokenRequests = (log: Sent[]) => log.filter((sent) => sent.url === `${base}/oauth/token`).map((sent) => Object.fromEntries(new URLSearchParams(sent.body)));

  /** Waits until the MCP server (clock tolerance 0) refuses this access token as expired. */
  async function untilExpired(accessToken: string): Promise<void> {
    const exp = Number(jwtPayload(accessToken).exp);
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 100);
  }

  /**
   * Once the access token expires, the next tool call gets a 401; the SDK refreshes (with
   * `resource`), retries, and the tool sees the new token. Nothing of this is the test's doing.
   */
  async function expectRefreshOnExpiry(client: Client, provider: MemoryOAuthProvider, log: Sent[], clientId: string): Promise<void> {
    const before = provider.tokens();
    if (!before?.refresh_token) throw new Error('no refresh token was saved');
    await untilExpired(before.access_token);
    const sentBefore = log.length;
    const caller = await whoami(client);

    const after = provider.tokens();
    expect(after?.access_token).not.toBe(before.access_token);
    expect(caller.tokenId).toBe(jwtPayload(after?.access_token ?? '').jti);
    expect(caller).toMatchObject({ clientId, subject: userId, scopes: ['notes:read'], resource: mcp.url });
    const sent = log.slice(sentBefore);
    // The SDK finds its way again from the challenge (it keeps no discovery state), then refreshes.
    expect(trail(sent)).toEqual([
      `POST ${mcp.url} 401`,
      `GET ${mcp.guard.metadataUrl} 200`,
      `GET ${base}/.well-known/oauth-authorization-server 200`,
      `POST ${base}/oauth/token 200`,
      `POST ${mcp.url} 200`,
    ]);
    expect(tokenRequests(sent)).toEqual([{ grant_type: 'refresh_token', refresh_token: before.refresh_token, resource: mcp.url, client_id: clientId }]);
    // Refresh tokens rotate (RFC 9700 §4.14.2).
    expect(after?.refresh_token).toEqual(expect.any(String));
    expect(after?.refresh_token).not.toBe(before.refresh_token);
    expect(jwtPayload(after?.access_token ?? '')).toMatchObject({ aud: mcp.url, sub: userId, client_id: clientId });
  }

  it('by a client ID metadata document (https): discovery, consent, a token bound to the MCP server, a tool call, a refresh', async () => {
    const log: Sent[] = [];
    const provider = new MemoryOAuthProvider(REDIRECT_URL, clientMetadata, documentUrl);
    const { consent, client } = await authorizeAndConnect(provider, log);

    // From the 401 to the user: the resource's metadata (RFC 9728), then Authgate's (RFC 8414),
    // and no registration; finishAuth discovers again and exchanges the code; then MCP goes on.
    expect(trail(log).slice(0, 7)).toEqual([
      `POST ${mcp.url} 401`,
      `GET ${mcp.guard.metadataUrl} 200`,
      `GET ${base}/.well-known/oauth-authorization-server 200`,
      `GET ${mcp.guard.metadataUrl} 200`,
      `GET ${base}/.well-known/oauth-authorization-server 200`,
      `POST ${base}/oauth/token 200`,
      `POST ${mcp.url} 200`,
    ]);
    expect(provider.clientInformation()?.client_id).toBe(documentUrl);
    // Authgate fetched the document from the client's https URL.
    expect(documents.requests.map((request) => request.url)).toContain('/agent/client.json');

    // Consent names the client, where its document lives, where the user goes, and for which resource.
    expect(consent).toContain('<strong>Notes agent</strong>');
    expect(consent).toContain('not verified');
    expect(consent).toContain(`<strong>${new URL(documentUrl).host}</strong>`);
    expect(consent).toContain('<strong>127.0.0.1:33418</strong>');
    expect(consent).toContain('<strong>Notes MCP</strong>');

    // The code exchange: a public client (client_id, PKCE verifier), with the resource.
    const [exchange] = tokenRequests(log);
    expect(exchange).toEqual({
      grant_type: 'authorization_code',
      code: expect.any(String),
      code_verifier: expect.any(String),
      redirect_uri: REDIRECT_URL,
      resource: mcp.url,
      client_id: documentUrl,
    });
    const tokens = provider.tokens();
    // No `scope` in the answer: it is the one asked for (RFC 6749 §5.1), as Passport answers.
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: TOKEN_TTL_SECONDS, refresh_token: expect.any(String) });
    expect(jwtPayload(tokens?.access_token ?? '')).toMatchObject({ aud: mcp.url, sub: userId, client_id: documentUrl, scope: 'notes:read', iss: base });

    expect(await whoami(client)).toEqual({
      clientId: documentUrl,
      subject: userId,
      scopes: ['notes:read'],
      resource: mcp.url,
      tokenId: jwtPayload(tokens?.access_token ?? '').jti,
    });
    // Bound to the MCP server, the token is no key to Authgate's own API.
    const api = await fetch(`${base}/api/user`, { headers: { authorization: `Bearer ${tokens?.access_token}`, accept: 'application/json' } });
    expect(api.status).toBe(401);

    await expectRefreshOnExpiry(client, provider, log, documentUrl);
  });

  it('by dynamic client registration: the same flow for a client without a metadata document', async () => {
    const log: Sent[] = [];
    const provider = new MemoryOAuthProvider(REDIRECT_URL, clientMetadata);
    const { consent, client } = await authorizeAndConnect(provider, log);

    // Without a clientMetadataUrl the SDK registers (RFC 7591) before sending the user on.
    expect(trail(log).slice(0, 8)).toEqual([
      `POST ${mcp.url} 401`,
      `GET ${mcp.guard.metadataUrl} 200`,
      `GET ${base}/.well-known/oauth-authorization-server 200`,
      `POST ${base}/oauth/register 201`,
      `GET ${mcp.guard.metadataUrl} 200`,
      `GET ${base}/.well-known/oauth-authorization-server 200`,
      `POST ${base}/oauth/token 200`,
      `POST ${mcp.url} 200`,
    ]);
    // It registered with the scope of the server's challenge.
    expect(JSON.parse(log[3]?.body ?? '{}')).toMatchObject({ ...clientMetadata, scope: 'notes:read' });
    const registered = provider.clientInformation();
    const clientId = registered?.client_id ?? '';
    expect(registered).toMatchObject({ client_name: 'Notes agent', redirect_uris: [REDIRECT_URL], token_endpoint_auth_method: 'none' });
    expect(registered).not.toHaveProperty('client_secret');
    expect(clientId).not.toMatch(/^https?:/);

    expect(consent).toContain('<strong>Notes agent</strong>');
    expect(consent).toContain('not verified');
    expect(consent).toContain('<strong>127.0.0.1:33418</strong>');
    expect(consent).toContain('<strong>Notes MCP</strong>');

    const [exchange] = tokenRequests(log);
    expect(exchange).toMatchObject({ grant_type: 'authorization_code', resource: mcp.url, client_id: clientId });
    expect(exchange).not.toHaveProperty('client_secret');
    expect(await whoami(client)).toMatchObject({ clientId, subject: userId, scopes: ['notes:read'], resource: mcp.url });

    await expectRefreshOnExpiry(client, provider, log, clientId);
  });

  it('survives parallel tool calls when the token expires: each call refreshes, none costs the grant (REFRESH_TOKEN_REUSE_INTERVAL)', async () => {
    const log: Sent[] = [];
    const provider = new MemoryOAuthProvider(REDIRECT_URL, clientMetadata, documentUrl);
    const { client } = await authorizeAndConnect(provider, log);
    await untilExpired(provider.tokens()?.access_token ?? '');
    const sentBefore = log.length;
    // Each call gets its own 401 and its own refresh, mostly with the same refresh token: with
    // REFRESH_TOKEN_REUSE_INTERVAL=0s every refresh after the first would be a replay that
    // revokes the grant, and those calls would fail with invalid_grant.
    const callers = await Promise.all([whoami(client), whoami(client), whoami(client)]);
    for (const caller of callers) expect(caller).toMatchObject({ clientId: documentUrl, subject: userId, resource: mcp.url });
    const refreshes = log.slice(sentBefore).filter((sent) => sent.url === `${base}/oauth/token`);
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    expect(refreshes.map((sent) => sent.status)).toEqual(refreshes.map(() => 200));
    // The grant is alive: the latest tokens keep working.
    expect((await whoami(client)).tokenId).toBe(jwtPayload(provider.tokens()?.access_token ?? '').jti);
  });

  it('refuses tokens for another resource, or for no resource, with 401 invalid_token', async () => {
    // A confidential client, registered over HTTP, for client credentials tokens.
    const registered = await fetch(`${base}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Batch job', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' }),
    });
    expect(registered.status).toBe(201);
    const { client_id: id, client_secret: secret } = (await registered.json()) as { client_id: string; client_secret: string };
    // Without a resource, the scopes are the server's own (notes:read is only the resources').
    const tokenFor = async (resource?: string): Promise<string> => {
      const response = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...(resource ? { resource, scope: 'notes:read' } : { scope: 'users:read' }) }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const initialize = (token: string) =>
      fetch(mcp.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
      });

    const other = await tokenFor(otherResource);
    expect(jwtPayload(other).aud).toBe(otherResource);
    const withoutResource = await tokenFor();
    expect(jwtPayload(withoutResource).aud).toBe(id);
    for (const token of [other, withoutResource]) {
      const refused = await initialize(token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        `Bearer error="invalid_token", error_description="The access token was not issued for this resource", scope="notes:read", resource_metadata="${mcp.guard.metadataUrl}"`,
      );
      expect(await refused.json()).toEqual({ error: 'invalid_token', error_description: 'The access token was not issued for this resource' });
    }
    // The same client, asking for this MCP server, is let in.
    expect((await initialize(await tokenFor(mcp.url))).status).toBe(200);
  });
});
