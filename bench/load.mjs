// Load generator, run as its own process so run.mjs can pin it to a different core than
// the server under test (`taskset -c 1 node bench/load.mjs '<json options>'`).
// Prints one JSON line on stdout: the summary every scenario reports (see summary below).
//
// options.kind:
//   autocannon  one request shape (method, path, headers, body) on `connections` connections;
//               with `pool` ({ file, direction }) every request carries the next token of the
//               pool file as its Bearer token (forwards from the first, or backwards from the
//               last for the warm-up, so the measurement meets tokens the server has not seen)
//   code-flow, refresh   N workers running a flow in a loop (bench/flows.mjs)
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { runFlows } from './flows.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');

function readPool(file) {
  const tokens = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  if (tokens.length === 0) throw new Error(`empty token pool ${file}`);
  return tokens;
}

async function runAutocannon() {
  const pool = options.pool ? readPool(options.pool.file) : undefined;
  let next = 0;
  let used = 0;
  const backwards = options.pool?.direction === 'backwards';
  const requests = pool
    ? [
        {
          setupRequest(request) {
            const token = backwards ? pool[pool.length - 1 - (next % pool.length)] : pool[next % pool.length];
            next++;
            used++;
            return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
          },
        },
      ]
    : undefined;
  const result = await autocannon({
    url: options.url,
    method: options.method,
    headers: options.headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(requests ? { requests } : {}),
    connections: options.connections,
    duration: options.duration,
  });
  const non2xx = result.non2xx ?? 0;
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.average, max: result.latency.max },
    ok: result['2xx'],
    errors: result.errors + result.timeouts + non2xx,
    errorDetail: { connectionErrors: result.errors, timeouts: result.timeouts, non2xx, statusCodes: result.statusCodeStats ?? {} },
    durationSeconds: result.duration,
    connections: result.connections,
    ...(pool ? { pool: { size: pool.length, tokensSent: used, wrapped: used > pool.length } } : {}),
  };
}

const summary = options.kind === 'autocannon' ? await runAutocannon() : await runFlows(options);
console.log(JSON.stringify(summary));
