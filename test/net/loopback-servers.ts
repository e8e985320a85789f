import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  /** Requests received so far: proves a refused fetch never reached the server. */
  requests: IncomingMessage[];
  close(): Promise<void>;
}

/** An HTTP(S) server on 127.0.0.1 and a free port that records every request it gets. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void, tls?: Certificate): Promise<LoopbackServer> {
  const requests: IncomingMessage[] = [];
  const listener: RequestListener = (req, res) => {
    requests.push(req);
    handler(req, res);
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Certificate {
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for `names` (DNS names and 127.0.0.1), made with the openssl command
 * in a temporary directory that is removed before returning: Node cannot write X.509 itself.
 */
export function selfSignedCertificate(names: string[]): Certificate {
  const dir = mkdtempSync(join(tmpdir(), 'authgate-cert-'));
  try {
    const san = [...names.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem',
        '-days', '1', '-subj', `/CN=${names[0] ?? 'localhost'}`, '-addext', `subjectAltName=${san}`],
      { cwd: dir, stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function json(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
