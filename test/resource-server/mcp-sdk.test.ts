import type { Server } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectResource } from '../../src/resource-server/index.js';
import type { ProtectedResource } from '../../src/resource-server/index.js';
import { freePort } from '../helpers/free-port.js';
import type { TestAuthServer, TestKey } from './auth-server.js';
import { makeKey, signToken, startAuthServer } from './auth-server.js';

/** A notes MCP server with one tool that reports what the SDK handed it as `extra.authInfo`. */
function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who is calling, as the access token says' }, async (extra) => {
    const auth = extra.authInfo;
    const caller = { clientId: auth?.clientId, scopes: auth?.scopes, resource: auth?.resource?.href, subject: auth?.extra?.subject };
    return { content: [{ type: 'text', text: JSON.stringify(caller) }] };
  });
  return server;
}

/** The SDK's stateless Streamable HTTP server behind `authgate/resource-server`'s Express middleware. */
async function startMcpServer(guard: ProtectedResource, port: number): Promise<Server> {
  const app = express();
  app.use(express.json());
  app.use(guard.serveMetadata.express());
  app.post('/mcp', guard.express(), async (req, res) => {
    const server = notesServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.get('/mcp', guard.express(), (_req, res) => void res.status(405).set('allow', 'POST').end());
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return server;
}

/** An OAuth provider that holds a given token and records where the SDK would send the user. */
class RecordingProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private client: OAuthClientInformationMixed | undefined;

  constructor(
    private readonly accessToken: string,
    readonly clientMetadataUrl: string,
  ) {}

  get redirectUrl(): string {
    return 'http://127.0.0.1:9/callback';
  }

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'Test agent', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.client = client;
  }

  tokens(): OAuthTokens {
    return { access_token: this.accessToken, token_type: 'Bearer' };
  }

  saveTokens(): void {}

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(): void {}

  codeVerifier(): string {
    return 'verifier';
  }
}

describe('an MCP server built with the official SDK, protected by authgate/resource-server', () => {
  let auth: TestAuthServer;
  let key: TestKey;
  let mcp: Server;
  let resource: string;
  let guard: ProtectedResource;

  beforeAll(async () => {
    key = await makeKey();
    auth = await startAuthServer([key]);
    const port = await freePort();
    resource = `http://127.0.0.1:${port}/mcp`;
    guard = protectResource({ issuer: auth.issuer, resource, scopes: ['notes:read'], resourceName: 'Notes MCP' });
    mcp = await startMcpServer(guard, port);
  });
  afterAll(async () => {
    mcp.closeAllConnections();
    await new Promise((resolve) => mcp.close(resolve));
    await auth.close();
  });

  const token = (audience: string, scopes = ['notes:read']) => signToken(key, { issuer: auth.issuer, audience, scopes, clientId: 'agent-1', subject: '7' });

  it('lets the SDK client call a tool with a token for this resource, and the tool sees the token', async () => {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { Authorization: `Bearer ${await token(resource)}` } } });
    await client.connect(transport);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const [content] = result.content as Array<{ type: string; text: string }>;
      expect(JSON.parse(content?.text ?? '{}')).toEqual({ clientId: 'agent-1', scopes: ['notes:read'], resource, subject: '7' });
    } finally {
      await client.close();
    }
  });

  it('refuses a token for another resource with 401 and the WWW-Authenticate challenge', async () => {
    const seen: Response[] = [];
    const recordingFetch = async (url: string | URL, init?: RequestInit) => {
      const response = await fetch(url, init);
      seen.push(response);
      return response;
    };
    const other = await token('https://other.example.com/mcp');
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { Authorization: `Bearer ${other}` } }, fetch: recordingFetch });
    const error = await client.connect(transport).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    expect(seen.at(-1)?.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", error_description="The access token was not issued for this resource", scope="notes:read", resource_metadata="${guard.metadataUrl}"`,
    );
  });

  it('sends the SDK OAuth client from the challenge to Authgate with resource and scope (RFC 9728, RFC 8707)', async () => {
    const provider = new RecordingProvider(await token('https://other.example.com/mcp'), 'https://agent.example.com/oauth/client.json');
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    await expect(client.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const url = provider.authorizationUrl;
    expect(url?.origin + (url?.pathname ?? '')).toBe(`${auth.issuer}/oauth/authorize`);
    expect(url?.searchParams.get('client_id')).toBe('https://agent.example.com/oauth/client.json');
    expect(url?.searchParams.get('resource')).toBe(resource);
    expect(url?.searchParams.get('scope')).toBe('notes:read');
    expect(url?.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('pins an SDK rule the end-to-end test must live with: clientMetadataUrl must be https', async () => {
    const provider = new RecordingProvider(await token('https://other.example.com/mcp'), 'http://127.0.0.1:9/client.json');
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    await expect(client.connect(transport)).rejects.toThrow('clientMetadataUrl must be a valid HTTPS URL');
    expect(provider.authorizationUrl).toBeUndefined();
  });
});
