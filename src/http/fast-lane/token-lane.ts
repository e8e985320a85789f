import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fastJson from 'fast-json-stringify';
import type { FastifyBaseLogger } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';
import type { Services } from '../../services.js';
import { parseFormBody } from '../form-body.js';
import { oauthParamsOf } from '../machine/oauth-params.js';
import { tokenResponseBody } from '../machine/token.js';
import { NO_STORE } from '../no-store.js';
import type { ErrorHandlingOptions } from '../plugins/error-handler.js';
import { OAUTH_SERVER_ERROR, answerForError, errorBody } from '../plugins/error-handler.js';
import { corsHeadersWithoutOrigin } from '../plugins/cors.js';
import { forbiddenFieldIn } from '../plugins/input-characters.js';
import type { LaneRoute, RequestListener } from './fast-lane.js';
import { JSON_TYPE, headerList, sendAnswer } from './fast-lane.js';

/** A token request is a few hundred bytes; anything bigger is read by Fastify, with its limit. */
const MAX_BODY = 8 * 1024;
const TOKEN_PATH = '/oauth/token';
const FORM = /^application\/x-www-form-urlencoded\s*(?:;\s*charset=(?:"utf-8"|utf-8)\s*)?$/i;

export interface TokenLaneOptions {
  log: () => FastifyBaseLogger;
  errors: Pick<ErrorHandlingOptions, 'debug' | 'unavailable' | 'appName'>;
}

/**
 * `POST /oauth/token` with a form body, as nearly every OAuth client sends it: the body is read
 * here, checked as the Fastify route checks it (every field a string of clean text), and handed
 * to the same use case; the answer is the route's, serialised by the route's response schema.
 * A body with arrays or refused characters, a JSON body, a chunked or large body go to Fastify
 * (the bytes already read are put back on the request first). With TOKEN_RATE_LIMIT on, the
 * route's limiter must count every request, so the lane leaves the route alone.
 */
export function tokenLane(services: Services, options: TokenLaneOptions): LaneRoute | undefined {
  const { config } = services;
  if (config.tokenRateLimit > 0) return undefined;
  const serialize = fastJson(tokenResponseBody(services.tokens.grants));
  const behindProxy = config.trustProxy !== false;
  const answerHeaders = { 'content-type': JSON_TYPE, ...NO_STORE, ...corsHeadersWithoutOrigin(config, TOKEN_PATH) };
  const successHeaders = headerList(answerHeaders);

  const exchange = async (request: IncomingMessage, response: ServerResponse, fields: Record<string, string | string[]>): Promise<void> => {
    try {
      const { params, resources } = oauthParamsOf(fields);
      const token = await services.tokens.exchange({ authorization: request.headers.authorization, params, resources, clientAddress: request.socket.remoteAddress });
      sendAnswer(response, 200, successHeaders, serialize(token));
    } catch (error) {
      sendError(request, response, error, answerHeaders, options);
    }
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: Buffer, fastify: RequestListener): void => {
    const fields = parseFormBody(body.toString('utf8'));
    if (!allCleanStrings(fields)) {
      // Fastify answers what the lane does not handle, from the same bytes.
      request.unshift(body);
      return fastify(request, response);
    }
    void exchange(request, response, fields);
  };

  return {
    method: 'POST',
    path: TOKEN_PATH,
    take(request, response, fastify) {
      const { headers } = request;
      const length = Number(headers['content-length']);
      if (!(length > 0 && length <= MAX_BODY) || headers['transfer-encoding'] !== undefined) return false;
      if (!FORM.test(headers['content-type'] ?? '')) return false;
      // Behind a trusted proxy the client's address comes from X-Forwarded-For: Fastify reads it.
      if (behindProxy && headers['x-forwarded-for'] !== undefined) return false;
      readBody(request, length, (body) => answer(request, response, body, fastify));
      return true;
    },
  };
}

/** Whether every field is one string and every string (but secrets) clean text, as the route's schema and character rule require. */
function allCleanStrings(fields: Record<string, string | string[]>): boolean {
  for (const name in fields) if (typeof fields[name] !== 'string') return false;
  return forbiddenFieldIn(fields) === undefined;
}

/**
 * Collects exactly `length` bytes, then pauses the request before its `end` is emitted, so the
 * bytes can still be put back (`unshift`) for Fastify. A request that ends early or fails is
 * dropped: its client is gone.
 */
function readBody(request: IncomingMessage, length: number, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
    if (received < length) return;
    request.removeListener('data', onData);
    request.removeListener('error', onError);
    request.pause();
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  };
  const onError = () => request.removeListener('data', onData);
  request.on('data', onData);
  request.on('error', onError);
}

/** The machine endpoints' error answers: OAuth errors in league's shape, anything else as the application's error handler answers it; never cached. */
function sendError(request: IncomingMessage, response: ServerResponse, error: unknown, headers: Record<string, string>, options: TokenLaneOptions): void {
  const reqId = randomUUID();
  if (error instanceof OAuthError) {
    if (error.status >= 500) options.log().error({ err: error, reqId }, OAUTH_SERVER_ERROR);
    sendAnswer(response, error.status, { ...headers, ...error.headers }, JSON.stringify(error.toJSON()), reqId);
    return;
  }
  const failure = answerForError(error instanceof Error ? error : new Error(String(error)), options.errors);
  if (failure.log) options.log().error({ err: error, reqId }, failure.log);
  const { type, body } = errorBody(request, failure.status, failure.message, failure.extra, options.errors.appName);
  sendAnswer(response, failure.status, { ...headers, ...failure.headers, 'content-type': type }, body, reqId);
}
