import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createSiblingServer } from './http/server-options.js';

/** The server could not listen, for a reason worth one line (port taken, no permission, unknown host). */
export class ListenError extends Error {
  override name = 'ListenError';
}

export interface Listening {
  /** Every address served, as URLs. */
  urls: string[];
  /** Listening servers besides `app.server` (`::1` for HOST=localhost); shut down with it. */
  siblings: Server[];
}

/**
 * Listens on HOST:PORT. `localhost` means both loopback addresses, 127.0.0.1 and ::1, whatever
 * /etc/hosts says (Fastify binds only the addresses `localhost` resolves to, often 127.0.0.1
 * alone, while browsers and curl may try ::1 first). A machine without IPv6 serves 127.0.0.1 only.
 */
export async function listen(app: FastifyInstance, config: Pick<Config, 'host' | 'port' | 'requestTimeout'>): Promise<Listening> {
  const loopbackPair = config.host === 'localhost';
  const host = loopbackPair ? '127.0.0.1' : config.host;
  try {
    await app.listen({ port: config.port, host });
  } catch (error) {
    throw listenError(error, config.port, config.host);
  }
  const { port } = app.server.address() as AddressInfo;
  const urls = [url(host, port)];
  if (!loopbackPair) return { urls, siblings: [] };
  const sibling = createSiblingServer(app, config);
  try {
    await listenOn(sibling, port, '::1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') {
      app.log.warn('IPv6 loopback (::1) is not available: serving 127.0.0.1 only');
      return { urls, siblings: [] };
    }
    await app.close();
    throw listenError(error, port, '::1');
  }
  return { urls: [...urls, url('::1', port)], siblings: [sibling] };
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function url(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return new ListenError(`port ${port} on ${host} is already in use (EADDRINUSE)`);
    case 'EACCES':
      return new ListenError(`no permission to listen on port ${port} on ${host} (EACCES)`);
    case 'EADDRNOTAVAIL':
      return new ListenError(`address ${host} is not an address of this machine (EADDRNOTAVAIL)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`host ${host} cannot be resolved (${code})`);
    default:
      return error;
  }
}
