import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Node's request listener: what Fastify's router is, and what the fast lane wraps. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * One route of the fast lane. `take` sees a request whose method and exact path (no query)
 * match and whose headers Fastify would not treat specially; it returns false to leave the
 * request to Fastify untouched, or true once it answers the request itself — or hands it to
 * `fastify` later, when what it finds (a body it does not handle, a token it cannot accept)
 * is for the full route to answer.
 */
export interface LaneRoute {
  method: 'GET' | 'POST';
  path: string;
  take(request: IncomingMessage, response: ServerResponse, fastify: RequestListener): boolean;
}

/**
 * The fast lane: the two routes resource servers and clients call all day — `POST /oauth/token`
 * and `GET /api/user` — answered straight from Node's request, before Fastify's router, hooks,
 * body parser and validator (about a quarter of those requests' CPU time, measured with
 * `npm run bench`). Each lane route calls the same use case as its Fastify route, applies the
 * same input checks and sends the same answer (test/http/fast-lane.test.ts compares the two on
 * every kind of request); anything unusual goes to Fastify: a CORS request (`Origin`), a query
 * string, a body the lane does not handle, a refused token. When the server starts to close,
 * everything goes to Fastify, which answers draining requests with `Connection: close`.
 */
export class FastLane {
  /** By path: each path has one lane route (a key of the path alone costs no string building per request). */
  private readonly routes = new Map<string, LaneRoute>();
  private open = true;

  constructor(routes: readonly (LaneRoute | undefined)[]) {
    for (const route of routes) {
      if (!route) continue;
      if (this.routes.has(route.path)) throw new Error(`one lane route per path: ${route.path}`);
      this.routes.set(route.path, route);
    }
  }

  /** Routes every request to a lane route or to Fastify. */
  wrap(fastify: RequestListener): RequestListener {
    return (request, response) => {
      if (this.open && request.headers.origin === undefined) {
        const route = this.routes.get(request.url!);
        if (route !== undefined && route.method === request.method && route.take(request, response, fastify)) return;
      }
      fastify(request, response);
    };
  }

  /** From now on Fastify answers everything (the server is closing). */
  close(): void {
    this.open = false;
  }
}

/** Response headers as Node's flat list (name, value, name, value, …): made once per route, copied without a key walk. */
export type HeaderList = readonly string[];

export function headerList(headers: Record<string, string>): HeaderList {
  return Object.freeze(Object.entries(headers).flat());
}

function isHeaderList(headers: OutgoingHttpHeaders | HeaderList): headers is HeaderList {
  return Array.isArray(headers);
}

/** Sends a complete answer with the request id every answer carries. */
export function sendAnswer(response: ServerResponse, status: number, headers: OutgoingHttpHeaders | HeaderList, body: string, requestId: string = randomUUID()): void {
  if (response.headersSent || response.destroyed) return;
  const length = String(Buffer.byteLength(body));
  if (isHeaderList(headers)) response.writeHead(status, [...headers, 'content-length', length, 'x-request-id', requestId]);
  else response.writeHead(status, { ...headers, 'content-length': length, 'x-request-id': requestId });
  response.end(body);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
