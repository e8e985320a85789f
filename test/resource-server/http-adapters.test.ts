import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectResource } from '../../src/resource-server/index.js';
import type { AccessTokenInfo, ProtectedResource } from '../../src/resource-server/index.js';
import { freePort } from '../helpers/free-port.js';
import type { TestAuthServer, TestKey } from './auth-server.js';
import { makeKey, signToken, startAuthServer } from './auth-server.js';

interface RunningApp {
  close(): Promise<void>;
}

/** What every protected route answers: proof that the adapter put the token info on the request. */
function describeAuth(auth: AccessTokenInfo | undefined) {
  return { clientId: auth?.clientId, scopes: auth?.scopes, subject: auth?.subject, resource: auth?.resource.href };
}

function authOf(request: object): AccessTokenInfo | undefined {
  return (request as { auth?: AccessTokenInfo }).auth;
}

async function startNode(guard: ProtectedResource, port: number): Promise<RunningApp> {
  const writer = guard.withScopes(['notes:write']);
  const server = createServer((req: IncomingMessage, res) => {
    if (guard.serveMetadata.node(req, res)) return;
    const route = req.url?.split('?')[0] === '/mcp/write' ? writer : guard;
    void route.node(req, res).then((info) => {
      if (info === undefined) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(describeAuth(authOf(req))));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startExpress(guard: ProtectedResource, port: number): Promise<RunningApp> {
  const app = express();
  app.use(guard.serveMetadata.express());
  app.get('/mcp', guard.express(), (req, res) => void res.json(describeAuth(authOf(req))));
  app.get('/mcp/write', guard.express({ scopes: ['notes:write'] }), (req, res) => void res.json(describeAuth(authOf(req))));
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startFastify(guard: ProtectedResource, port: number): Promise<RunningApp> {
  const app = Fastify();
  await app.register(guard.serveMetadata.fastify);
  // A hook for every route of an encapsulated plugin, and one for a single route.
  await app.register(async (scope) => {
    scope.addHook('onRequest', guard.fastify);
    scope.get('/mcp', async (request) => describeAuth(authOf(request)));
  });
  app.get('/mcp/write', { preHandler: guard.withScopes(['notes:write']).fastify }, async (request) => describeAuth(authOf(request)));
  await app.listen({ port, host: '127.0.0.1' });
  return { close: () => app.close() };
}

const adapters = [
  ['node:http', startNode],
  ['Express', startExpress],
  ['Fastify', startFastify],
] as const;

describe.each(adapters)('%s adapter', (_name, start) => {
  let auth: TestAuthServer;
  let key: TestKey;
  let app: RunningApp;
  let base: string;
  let resource: string;
  let metadataUrl: string;

  beforeAll(async () => {
    key = await makeKey();
    auth = await startAuthServer([key]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    resource = `${base}/mcp`;
    const guard = protectResource({ issuer: auth.issuer, resource, resourceName: 'Notes MCP', scopesSupported: ['notes:read', 'notes:write'] });
    metadataUrl = guard.metadataUrl;
    app = await start(guard, port);
  });
  afterAll(async () => {
    await app.close();
    await auth.close();
  });

  const token = (scopes: string[], extra: { expiresIn?: number; audience?: string } = {}) =>
    signToken(key, { issuer: auth.issuer, audience: extra.audience ?? resource, scopes, clientId: 'client-1', ...extra });
  const get = (path: string, authorization?: string) => fetch(`${base}${path}`, authorization ? { headers: { authorization } } : {});

  it('passes a valid token and sets the request auth', async () => {
    const response = await get('/mcp', `Bearer ${await token(['notes:read'])}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ clientId: 'client-1', scopes: ['notes:read'], subject: '42', resource });
  });

  it('answers a request without a token with 401 and only resource_metadata', async () => {
    const response = await get('/mcp');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    expect(await response.json()).toEqual({
      error: 'missing_token',
      error_description: 'An access token is required: send it as "Authorization: Bearer <token>"',
    });
  });

  it('treats another authentication scheme as no token (RFC 6750 §3.1)', async () => {
    const response = await get('/mcp', 'Basic dXNlcjpwYXNz');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
  });

  it('answers a bad token with 401 invalid_token', async () => {
    const response = await get('/mcp', `Bearer ${await token(['notes:read'], { expiresIn: -60 })}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The access token has expired", resource_metadata="${metadataUrl}"`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: 'The access token has expired' });
  });

  it('refuses a token for another resource', async () => {
    const response = await get('/mcp', `Bearer ${await token(['notes:read'], { audience: 'https://other.example.com/mcp' })}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error_description="The access token was not issued for this resource"');
  });

  it('answers a missing scope with 403 insufficient_scope and the scope needed', async () => {
    const response = await get('/mcp/write', `Bearer ${await token(['notes:read'])}`);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="The access token does not grant the scope this request needs", scope="notes:write", resource_metadata="${metadataUrl}"`,
    );
    expect(((await response.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  it('names the scope a route needs in its 401 (MCP 2025-11-25 scope selection)', async () => {
    const response = await get('/mcp/write');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="notes:write", resource_metadata="${metadataUrl}"`);
  });

  it('passes the write route with the write scope', async () => {
    const response = await get('/mcp/write', `Bearer ${await token(['notes:read', 'notes:write'])}`);
    expect(response.status).toBe(200);
  });

  it('refuses a token in the query string with 400 invalid_request', async () => {
    const jwt = await token(['notes:read']);
    for (const authorization of [undefined, `Bearer ${jwt}`]) {
      const response = await get(`/mcp?access_token=${jwt}`, authorization);
      expect(response.status).toBe(400);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    }
  });

  it('refuses a malformed Authorization header', async () => {
    expect((await get('/mcp', 'Bearer')).status).toBe(400);
    const response = await get('/mcp', 'Bearer not a token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('serves the RFC 9728 document at the path-aware well-known URL, to any origin', async () => {
    expect(metadataUrl).toBe(`${base}/.well-known/oauth-protected-resource/mcp`);
    const response = await fetch(metadataUrl, { headers: { origin: 'https://app.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      resource,
      authorization_servers: [auth.issuer],
      scopes_supported: ['notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes MCP',
    });
  });

  it('answers the CORS preflight the MCP SDK causes (MCP-Protocol-Version header)', async () => {
    const response = await fetch(metadataUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('GET');
  });
});

describe('guards mounted for a whole app', () => {
  const guard = protectResource({ issuer: 'https://auth.example.com', resource: 'http://127.0.0.1/mcp' });

  it('let Express serve the metadata document after a global guard', async () => {
    const app = express();
    app.use(guard.express());
    app.use(guard.serveMetadata.express());
    app.get('/mcp', (_req, res) => void res.send('secret'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}${guard.metadataPath}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/mcp`)).status).toBe(401);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('let Fastify serve the metadata document behind a global onRequest hook', async () => {
    const app = Fastify();
    app.addHook('onRequest', guard.fastify);
    await app.register(guard.serveMetadata.fastify);
    app.get('/mcp', async () => 'secret');
    try {
      expect((await app.inject({ method: 'GET', url: guard.metadataPath })).statusCode).toBe(200);
      expect((await app.inject({ method: 'HEAD', url: guard.metadataPath })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/mcp' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('metadata location (RFC 9728 §3.1)', () => {
  const at = (resource: string) => protectResource({ issuer: 'https://auth.example.com', resource });

  it.each([
    ['https://mcp.example.com/mcp', '/.well-known/oauth-protected-resource/mcp'],
    ['https://mcp.example.com', '/.well-known/oauth-protected-resource'],
    ['https://mcp.example.com/', '/.well-known/oauth-protected-resource'],
    ['https://mcp.example.com/tenants/a/mcp', '/.well-known/oauth-protected-resource/tenants/a/mcp'],
    ['https://mcp.example.com:8443/mcp/', '/.well-known/oauth-protected-resource/mcp/'],
  ])('%s → %s', (resource, path) => {
    const guard = at(resource);
    expect(guard.metadataPath).toBe(path);
    expect(guard.metadataUrl).toBe(`${new URL(resource).origin}${path}`);
    expect(guard.metadata.resource).toBe(resource);
  });

  it('omits scopes_supported and resource_name when there are none', () => {
    expect(at('https://mcp.example.com/mcp').metadata).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://auth.example.com'],
      bearer_methods_supported: ['header'],
    });
  });

  it('advertises the required scopes when scopes_supported is not given', () => {
    const guard = protectResource({ issuer: 'https://auth.example.com', resource: 'https://mcp.example.com/mcp', scopes: ['notes:read'] });
    expect(guard.metadata.scopes_supported).toEqual(['notes:read']);
  });
});
