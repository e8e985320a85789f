import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { FastLane, RequestListener } from './fast-lane/fast-lane.js';
import { answerClientError } from './plugins/error-handler.js';

/** Milliseconds. */
export interface ServerTimeouts {
  /** The whole request (headers and body) must arrive within this; then 408 and the connection is closed. */
  requestTimeout: number;
  /** The request line and headers must arrive within this (slowloris). */
  headersTimeout: number;
  /**
   * An idle keep-alive connection is closed after this. Longer than the 60 s idle timeout of
   * common load balancers and proxies (AWS ALB, nginx `keepalive_timeout`), as Fastify's own
   * default, so a proxy never sends a request on a connection Authgate is closing (a 502).
   */
  keepAliveTimeout: number;
  /** A socket with an open request and no traffic for this long is destroyed. */
  connectionTimeout: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let a 1 s timeout run 30 s). */
  connectionsCheckingInterval: number;
}

const HEADERS_TIMEOUT = 10_000;
const KEEP_ALIVE_TIMEOUT = 72_000;
const CHECK_INTERVAL = 1_000;

export function serverTimeouts(config: Pick<Config, 'requestTimeout'>): ServerTimeouts {
  const requestTimeout = config.requestTimeout * 1000;
  return {
    requestTimeout,
    // Node requires headersTimeout ≤ requestTimeout.
    headersTimeout: Math.min(HEADERS_TIMEOUT, requestTimeout),
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT,
    connectionTimeout: 2 * requestTimeout,
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL, requestTimeout),
  };
}

/**
 * The Fastify options that shape the HTTP server: which proxies to trust, timeouts (issue 6:
 * a stalled body held a connection for minutes and blocked shutdown), parser errors in the
 * documented error shape, and requests that arrive on an open connection while the server
 * drains served normally with `Connection: close` (instead of Fastify's bare 503).
 */
export function httpServerOptions(config: Pick<Config, 'trustProxy' | 'requestTimeout'>) {
  const timeouts = serverTimeouts(config);
  return {
    trustProxy: trustProxyOption(config.trustProxy),
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    connectionTimeout: timeouts.connectionTimeout,
    http: { headersTimeout: timeouts.headersTimeout, connectionsCheckingInterval: timeouts.connectionsCheckingInterval },
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
  };
}

/**
 * Fastify's `trustProxy`. A hop count is given as a function: Fastify 5.12 reads a bare number
 * as "trust nothing", and `true` would trust every hop. Hop `0` is the socket's peer, so
 * `n` hops trust the peer and the n − 1 addresses it appended before: the client address is the
 * n-th X-Forwarded-For entry from the right, never one the client wrote further left.
 */
function trustProxyOption(trust: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

/**
 * Fastify's `serverFactory`: the HTTP server with the timeouts above, and requests passing the
 * fast lane (./fast-lane/fast-lane.ts) before Fastify's router when the lane is on.
 */
export function httpServerFactory(config: Pick<Config, 'requestTimeout'>, lane: FastLane | undefined) {
  return (fastify: RequestListener): Server => createHttpServer(lane ? lane.wrap(fastify) : fastify, config);
}

/** One more listening server for the same application (`HOST=localhost` on `::1`), configured as the main one. */
export function createSiblingServer(app: FastifyInstance, config: Pick<Config, 'requestTimeout'>): Server {
  // The main server's listener: the fast lane, then Fastify's router.
  const [listener] = app.server.listeners('request') as RequestListener[];
  const server = createHttpServer(listener ?? app.routing, config);
  server.on('clientError', answerClientError);
  return server;
}

function createHttpServer(listener: RequestListener, config: Pick<Config, 'requestTimeout'>): Server {
  const timeouts = serverTimeouts(config);
  const server = createServer(
    {
      requestTimeout: timeouts.requestTimeout,
      headersTimeout: timeouts.headersTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
    },
    listener,
  );
  server.setTimeout(timeouts.connectionTimeout);
  return server;
}
