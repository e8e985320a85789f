import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExpressMiddleware, FastifyPlugin } from './http-types.js';
import { pathOf } from './http-types.js';
import type { ProtectedResourceMetadata } from './protected-resource-metadata.js';

export interface MetadataResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Serves the RFC 9728 document. Browser-based MCP clients read it from another origin (and the
 * SDK sends an MCP-Protocol-Version header, which needs a preflight), so it is public to every
 * origin, without credentials.
 */
export function metadataResponse(method: string, document: ProtectedResourceMetadata): MetadataResponse {
  const cors = { 'access-control-allow-origin': '*' };
  if (method === 'OPTIONS') {
    return {
      status: 204,
      headers: { ...cors, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': '*', 'access-control-max-age': '86400' },
    };
  }
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers: { ...cors, allow: 'GET, HEAD, OPTIONS' } };
  const body = JSON.stringify(document);
  return {
    status: 200,
    headers: { ...cors, 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
    ...(method === 'GET' ? { body } : {}),
  };
}

/**
 * True for the metadata path itself and, as the MCP SDK strips a trailing slash before
 * building the well-known URL, for the same path without its trailing slash.
 */
export function isMetadataPath(url: string | undefined, metadataPath: string): boolean {
  const path = pathOf(url);
  return path === metadataPath || (metadataPath.endsWith('/') && path === metadataPath.slice(0, -1));
}

export interface MetadataHandlers {
  /** Answers and returns true when the request is for the metadata document; false (untouched) otherwise. */
  node(req: IncomingMessage, res: ServerResponse): boolean;
  /** Middleware that answers metadata requests and passes everything else on. */
  express(): ExpressMiddleware;
  /** A plugin registering GET (and HEAD) and OPTIONS routes for the metadata path. */
  fastify: FastifyPlugin;
}

export function metadataHandlers(document: ProtectedResourceMetadata, metadataPath: string): MetadataHandlers {
  const serve = (url: string | undefined, method: string | undefined, res: ServerResponse): boolean => {
    if (!isMetadataPath(url, metadataPath)) return false;
    const answer = metadataResponse(method ?? 'GET', document);
    res.writeHead(answer.status, answer.headers).end(answer.body);
    return true;
  };
  return {
    node: (req, res) => serve(req.url, req.method, res),
    // Express rewrites req.url under a mounted router; originalUrl is the path the client asked for.
    express: () => (req, res, next) => {
      if (!serve(req.originalUrl ?? req.url, req.method, res)) next();
    },
    fastify: async (instance) => {
      const paths = metadataPath.endsWith('/') ? [metadataPath, metadataPath.slice(0, -1)] : [metadataPath];
      for (const url of paths) {
        instance.route({
          method: ['GET', 'OPTIONS'],
          url,
          handler: async (request, reply) => {
            const answer = metadataResponse(request.method, document);
            for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
            return reply.code(answer.status).send(answer.body);
          },
        });
      }
    },
  };
}
