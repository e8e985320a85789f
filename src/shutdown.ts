import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  /** Seconds in-flight requests may take to finish (SHUTDOWN_TIMEOUT). */
  timeout: number;
  /** Listening servers besides `app.server` (`::1` for HOST=localhost). */
  siblings?: Server[];
}

/** How often connections that finished their last response while draining are closed. */
const SWEEP_INTERVAL = 100;
/** After the timeout, how long closing the services may take before the process gives up. */
const CLOSE_GRACE = 5_000;

/**
 * SIGTERM and SIGINT drain the server: stop accepting connections, let in-flight requests finish
 * for at most `timeout` seconds, then cut the connections still open (a stalled upload, a
 * hanging client), close the services (database pool, Redis) and exit 0. A second signal cuts
 * the connections at once.
 */
export function shutdownOnSignals(app: FastifyInstance, services: { close(): Promise<void> }, options: ShutdownOptions): void {
  const servers = [app.server, ...(options.siblings ?? [])];
  const cut = () => {
    for (const server of servers) server.closeAllConnections();
  };
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) return cut();
    draining = true;
    app.log.info({ signal }, 'draining: no new connections, in-flight requests may finish');
    const deadline = setTimeout(cut, options.timeout * 1000);
    // Should closing the services hang, the process still ends.
    const failsafe = setTimeout(() => process.exit(1), options.timeout * 1000 + CLOSE_GRACE);
    failsafe.unref();
    drain(app, servers)
      .then(() => services.close())
      .then(
        () => {
          clearTimeout(deadline);
          process.exit(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Closes every server; resolves once each has no connection left. */
async function drain(app: FastifyInstance, servers: Server[]): Promise<void> {
  // A keep-alive connection whose request finished is idle: close it now rather than at the keep-alive timeout.
  const sweep = setInterval(() => {
    for (const server of servers) server.closeIdleConnections();
  }, SWEEP_INTERVAL);
  try {
    const siblings = servers.slice(1).map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    await Promise.all([app.close(), ...siblings]);
  } finally {
    clearInterval(sweep);
  }
}
