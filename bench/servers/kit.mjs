// What every benchmark server shares: its settings from the environment, the READY line the
// runner waits for, the token pool file, and small node:http helpers for the servers that
// are not Authgate (the peers and the ceilings).
//
// Every server reads:
//   PORT              the port to listen on (required)
//   BENCH_SCENARIO    the scenario it serves (token, bearer-distinct, introspect, code-flow, …):
//                     servers only prepare what that scenario needs (a token pool, users, clients)
//   BENCH_ALG         ES256 (default) or RS256: the access token signature
//   BENCH_POOL        how many distinct bearer tokens to mint before READY (bearer scenarios)
//   BENCH_POOL_FILE   where to write them, one a line, for the load process
//   BENCH_USERS       how many users to create (code-flow, refresh)
// and prints one JSON line `{"ready":true,…}` on stdout once listening, and on SIGTERM, when it
// has something to tell, `{"stopped":true,…}` before it exits.
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

export function benchEnv() {
  const alg = process.env.BENCH_ALG ?? 'ES256';
  if (alg !== 'ES256' && alg !== 'RS256') throw new Error(`BENCH_ALG must be ES256 or RS256, got ${alg}`);
  return {
    port: Number(process.env.PORT ?? 0),
    scenario: process.env.BENCH_SCENARIO ?? 'token',
    alg,
    poolSize: Number(process.env.BENCH_POOL ?? 0),
    poolFile: process.env.BENCH_POOL_FILE,
    users: Number(process.env.BENCH_USERS ?? 1),
  };
}

/** Whether the scenario verifies bearer tokens from a pool minted up front. */
export const needsPool = (scenario) => scenario === 'bearer-distinct' || scenario === 'bearer-signature' || scenario === 'bearer-one';

/** The user every non-Authgate server answers GET /api/user with (Authgate's own user JSON has the same shape). */
export const benchUser = { id: 1, name: 'Bench User', email: 'bench@example.com', email_verified_at: null, created_at: '2024-01-01T00:00:00.000000Z', updated_at: '2024-01-01T00:00:00.000000Z' };

export const benchPassword = 'bench-password-0123456789';

/** Runs `mint(i)` for i in [0, count) with at most `concurrency` in flight; resolves with the results in order. */
export async function mintAll(count, concurrency, mint) {
  const out = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await mint(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

export function writePool(file, tokens) {
  if (!file) throw new Error('BENCH_POOL_FILE is required to write the token pool');
  writeFileSync(file, tokens.join('\n'));
}

export function announce(fields) {
  console.log(JSON.stringify({ ready: true, ...fields }));
}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `Basic base64(id:secret)` → { id, secret } (RFC 6749 §2.3.1 form-encodes both), or undefined. */
export function parseBasic(header) {
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** `Bearer <token>` → the token, or undefined. */
export function parseBearer(header) {
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

export function onStop(stop) {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve(stop()).then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', once);
  process.once('SIGINT', once);
}

/** A bare node:http server on the bench port running `handle`; announces READY and stops cleanly. */
export function serveBench(handle, ready) {
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(benchEnv().port, '127.0.0.1', () => announce({ ...ready, port: server.address().port }));
  onStop(
    () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  );
}
