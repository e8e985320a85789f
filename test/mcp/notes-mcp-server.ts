import type { Server } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { protectResource } from '../../src/resource-server/index.js';
import type { ProtectedResource } from '../../src/resource-server/index.js';

export interface NotesMcpServer {
  /** The MCP endpoint, which is also the resource's identifier (RFC 8707). */
  url: string;
  guard: ProtectedResource;
  close(): Promise<void>;
}

/** What the `whoami` tool answers: the access token as the SDK handed it to the tool (`extra.authInfo`). */
export interface Caller {
  clientId: string;
  subject: string;
  scopes: string[];
  resource: string;
  tokenId: string;
}

/** A notes MCP server with one tool, `whoami`, reporting the caller's access token. */
function notesServer(): McpServer {
  const server = new McpServer({ name: 'notes', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Who is calling, as the access token says' }, async (extra) => {
    const auth = extra.authInfo;
    const caller = { clientId: auth?.clientId, subject: auth?.extra?.subject, scopes: auth?.scopes, resource: auth?.resource?.href, tokenId: auth?.extra?.tokenId };
    return { content: [{ type: 'text', text: JSON.stringify(caller) }] };
  });
  return server;
}

/**
 * The SDK's Streamable HTTP server (stateless) behind `authgate/resource-server`, on a loopback
 * port: what the README's "Protecting an MCP server" shows.
 */
export async function startNotesMcpServer(options: { issuer: string; port: number; clockToleranceSeconds?: number }): Promise<NotesMcpServer> {
  const url = `http://127.0.0.1:${options.port}/mcp`;
  const guard = protectResource({
    issuer: options.issuer,
    resource: url,
    scopes: ['notes:read'],
    scopesSupported: ['notes:read', 'notes:write'],
    resourceName: 'Notes MCP',
    ...(options.clockToleranceSeconds === undefined ? {} : { clockToleranceSeconds: options.clockToleranceSeconds }),
  });
  const app = express();
  app.use(guard.serveMetadata.express());
  app.post('/mcp', guard.express(), express.json(), async (req, res) => {
    const server = notesServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  // Stateless: no server-to-client stream. The guard still comes first, as for every request.
  app.get('/mcp', guard.express(), (_req, res) => void res.status(405).set('allow', 'POST').end());
  const server: Server = app.listen(options.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    url,
    guard,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
