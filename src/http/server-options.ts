import type { Config } from '../config.js';

/** The Fastify options that shape the HTTP server: which proxies to trust. */
export function httpServerOptions(config: Pick<Config, 'trustProxy'>) {
  return {
    trustProxy: trustProxyOption(config.trustProxy),
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
