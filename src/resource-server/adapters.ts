import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenBearingRequest } from './bearer-token.js';
import type { ExpressMiddleware, FastifyHook } from './http-types.js';
import { isMetadataPath } from './metadata-handlers.js';
import type { AccessTokenInfo } from './token-verifier.js';
import type { ErrorResponse } from './www-authenticate.js';

/** What the adapters need from a protected resource: check a request, shape a refusal. */
export interface RequestGuard {
  metadataPath: string;
  authenticate(request: TokenBearingRequest): Promise<AccessTokenInfo>;
  errorResponse(error: unknown): ErrorResponse;
}

export function sendErrorResponse(res: ServerResponse, answer: ErrorResponse): void {
  res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
}

/**
 * node:http: resolves to the token info (also set as `req.auth`, where the MCP SDK's transports
 * read it), or answers the request itself and resolves to undefined.
 */
export async function guardNodeRequest(guard: RequestGuard, req: IncomingMessage, res: ServerResponse): Promise<AccessTokenInfo | undefined> {
  try {
    const info = await guard.authenticate(req);
    Object.assign(req, { auth: info });
    return info;
  } catch (error) {
    sendErrorResponse(res, guard.errorResponse(error));
    return undefined;
  }
}

/**
 * Express: sets `req.auth` and calls next(), or answers. A request for the resource's own
 * metadata document passes untouched, so the guard can be mounted for a whole app.
 */
export function expressGuard(guard: RequestGuard): ExpressMiddleware {
  return (req, res, next) => {
    const url = req.originalUrl ?? req.url;
    if (isMetadataPath(url, guard.metadataPath)) return next();
    guard.authenticate({ headers: req.headers, url }).then(
      (info) => {
        Object.assign(req, { auth: info });
        next();
      },
      (error: unknown) => sendErrorResponse(res, guard.errorResponse(error)),
    );
  };
}

/** Fastify: an onRequest/preHandler hook that sets `request.auth` or answers (and returns the reply). */
export function fastifyGuard(guard: RequestGuard): FastifyHook {
  return async (request, reply) => {
    if (isMetadataPath(request.url, guard.metadataPath)) return undefined;
    try {
      Object.assign(request, { auth: await guard.authenticate(request) });
      return undefined;
    } catch (error) {
      const answer = guard.errorResponse(error);
      for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
      return reply.code(answer.status).send(answer.body);
    }
  };
}
