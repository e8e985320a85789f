import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, TooManyAttemptsError } from '../../oauth/errors.js';
import { HttpError, ValidationError } from '../errors.js';
import { laravelValidationError } from '../validation-messages.js';
import { NO_STORE } from '../no-store.js';
import { wantsHtml, renderErrorPage } from '../../web/error-page.js';
import type { RequestLine } from '../../web/error-page.js';

const SERVER_ERROR = 'Whoops, looks like something went wrong';

declare module 'fastify' {
  interface FastifyInstance {
    /** APP_NAME, for the header of error pages. */
    errorPageAppName: string;
  }
}

/**
 * One error handler for the whole app: OAuth errors in league's shape, validation in
 * Laravel's 422 shape, everything else as `{"message", "status"}` — or an HTML page for a
 * browser asking for a page. Never a stack trace unless APP_DEBUG=true.
 */
export interface ErrorHandlingOptions {
  debug: boolean;
  /** Shown on error pages. */
  appName?: string;
  /** Names the dependency a failure came from when it is unreachable (answered 503, not 500). */
  unavailable?: (error: unknown) => string | undefined;
}

/** Seconds a client should wait before trying again while a dependency is down. */
const RETRY_AFTER_UNAVAILABLE = '5';

/** What an OAuth error of status 500 and above is logged as (with its request id). */
export const OAUTH_SERVER_ERROR = 'oauth server error';

/** How an error other than an OAuth error is answered: `{"message", ...extra, "status"}` (or a page). */
export interface ErrorAnswer {
  status: number;
  message: string;
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
  /** Set when the error is a fault of ours, to be logged with the request id. */
  log?: string;
}

/** The answer to an error that is not an OAuth error: Fastify's error handler and the fast lane both ask here. */
export function answerForError(error: Error, options: Pick<ErrorHandlingOptions, 'debug' | 'unavailable'>): ErrorAnswer {
  if (error instanceof ValidationError) return { status: 422, message: error.message, extra: { errors: error.errors } };
  if ('validation' in error && error.validation) {
    const failure = laravelValidationError(error.validation as FastifyError['validation'] & object);
    return { status: 422, message: failure.message, extra: { errors: failure.errors } };
  }
  if (error instanceof TooManyAttemptsError) return { status: 429, message: error.message, headers: { 'Retry-After': String(error.retryAfter) } };
  if (error instanceof HttpError) return { status: error.status, message: error.message, headers: error.headers };
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 429) return { status: 429, message: 'Too Many Attempts.' };
  if (status >= 400 && status < 500) return { status, message: clientErrorMessage(error as FastifyError, status) };
  const dependency = options.unavailable?.(error);
  if (dependency !== undefined) {
    // Logged once per outage where the dependency's state changes, not once per request.
    return {
      status: 503,
      message: `Service Unavailable: ${dependency} cannot be reached. Try again shortly.`,
      headers: { 'Retry-After': RETRY_AFTER_UNAVAILABLE },
    };
  }
  const debug = options.debug ? { exception: error.name, detail: error.message, trace: error.stack?.split('\n') } : {};
  return { status: 500, message: SERVER_ERROR, extra: debug, log: 'unhandled error' };
}

/** The body of an error answer: Laravel's JSON, or an error page for a browser asking for one. */
export function errorBody(request: RequestLine, status: number, message: string, extra: Record<string, unknown> = {}, appName?: string) {
  if (wantsHtml(request)) return { type: 'text/html; charset=utf-8', body: renderErrorPage(status, message, appName) };
  return { type: 'application/json; charset=utf-8', body: JSON.stringify({ message, ...extra, status }) };
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.decorate('errorPageAppName', options.appName ?? 'Authgate');
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof OAuthError) {
      if (error.status >= 500) request.log.error({ err: error, reqId: request.id }, OAUTH_SERVER_ERROR);
      return reply.status(error.status).headers(noStore(error.headers)).send(error.toJSON());
    }
    const answer = answerForError(error, options);
    if (answer.log) request.log.error({ err: error, reqId: request.id }, answer.log);
    return send(request, reply.headers(answer.headers ?? {}), answer.status, answer.message, answer.extra);
  });

  // Every route's method and URL pattern, so a wrong method on `/oauth/clients/{id}` is a 405 too.
  const routes: RouteSignature[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = routePattern(route.url ?? route.path);
    for (const method of [route.method].flat()) routes.push({ method, pattern });
  });

  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    const allowed = allowedMethods(routes, pathname, request.method);
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return send(request, reply, 405, `The ${request.method} method is not supported for route ${laravelPath(pathname)}. Supported methods: ${allowed.join(', ')}.`);
    }
    return send(request, reply, 404, `The route ${laravelPath(pathname)} could not be found.`);
  });
}

/**
 * Fastify's `frameworkErrors`: a path that is not valid percent-encoding (400) or a path
 * parameter too long for any route (answered 404: nothing has such an id). Answered before
 * any hook ran, so the request id is set here too.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('X-Request-Id', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return send(request, reply, 404, 'Not Found.');
  if (error.code === 'FST_ERR_BAD_URL') return send(request, reply, 400, 'The request URL is malformed.');
  request.log.error({ err: error, reqId: request.id }, 'framework error');
  return send(request, reply, 500, SERVER_ERROR);
}

/**
 * Fastify's `clientErrorHandler` (and the `clientError` listener of every listening server):
 * requests Node's HTTP parser refused — a malformed request line or header, headers too large,
 * a request not received within the request timeout — never reach Fastify. They get the
 * documented error shape and an `X-Request-Id` too, then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large.']
        : [400, 'Bad Request.'];
  // A response already under way on this socket must not be corrupted by a second one (as Node does).
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const body = JSON.stringify({ message, status });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, message: string, extra: Record<string, unknown> = {}) {
  const { type, body } = errorBody(request, status, message, extra, request.server.errorPageAppName);
  return reply.status(status).type(type).send(body);
}

function noStore(headers: Record<string, string>): Record<string, string> {
  return { ...headers, ...NO_STORE };
}

/** Fastify's own 4xx (bad JSON, wrong content type, body too large) in plain words, without internals. */
function clientErrorMessage(error: FastifyError, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The JSON body is empty.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'The request body is not valid JSON.';
    default:
      if (error instanceof SyntaxError) return 'The request body is not valid JSON.';
      return status === 404 ? 'Not Found.' : error.message || 'Bad Request.';
  }
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface RouteSignature {
  method: string;
  pattern: RegExp;
}

/** Laravel's `$request->path()`: the path without its leading and trailing slashes, or `/`. */
function laravelPath(pathname: string): string {
  return pathname.replace(/^\/+|\/+$/g, '') || '/';
}

/** A Fastify route URL (`/oauth/clients/:client_id`, `/_debugbar/cache/:key/:tags?`) as a matcher of concrete paths. */
function routePattern(url: string): RegExp {
  let source = '';
  for (const segment of url.split('/').slice(1)) {
    if (segment === '*') source += '/.*';
    else if (segment.startsWith(':')) source += segment.endsWith('?') ? '(?:/[^/]*)?' : '/[^/]+';
    else source += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  // `ignoreTrailingSlash` is on: `/oauth/clients/` is the same route.
  return new RegExp(`^${source}/?$`);
}

function allowedMethods(routes: RouteSignature[], pathname: string, method: string): string[] {
  return METHODS.filter((m) => m !== method && routes.some((route) => route.method === m && route.pattern.test(pathname)));
}
