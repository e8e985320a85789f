import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * The little of Express and Fastify the adapters touch, written structurally so this package
 * depends on neither: Express's Request/Response extend node's, Fastify's request and reply
 * have these members.
 */
export type ExpressLikeRequest = IncomingMessage & { originalUrl?: string };

export type ExpressMiddleware = (req: ExpressLikeRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface FastifyLikeRequest {
  headers: IncomingHttpHeaders;
  url: string;
  method: string;
}

export interface FastifyLikeReply {
  code(statusCode: number): FastifyLikeReply;
  header(name: string, value: string): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

/** An `onRequest` or `preHandler` hook. */
export type FastifyHook = (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>;

export type FastifyRouteHandler = (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>;

export interface FastifyLikeInstance {
  route(options: { method: string[]; url: string; handler: FastifyRouteHandler }): unknown;
}

/** A plugin for `app.register(...)`. */
export type FastifyPlugin = (instance: FastifyLikeInstance) => Promise<void>;

/** The path of a request target, without its query. */
export function pathOf(url: string | undefined): string {
  return (url ?? '/').split(/[?#]/)[0] ?? '/';
}
