// Summaries, the table, the ratios, and the PostgreSQL database for the optional row.
import pg from 'pg';

/** The figures we report from an autocannon result. */
export function summarize(target, result) {
  const non2xx = result.non2xx ?? 0;
  return {
    name: target.name,
    key: target.key,
    ours: Boolean(target.ours),
    requestsPerSecond: round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: round(result.latency.average), max: result.latency.max },
    ok: result['2xx'],
    errors: result.errors + result.timeouts + non2xx,
    errorDetail: { connectionErrors: result.errors, timeouts: result.timeouts, non2xx },
    durationSeconds: result.duration,
    connections: result.connections,
  };
}

function round(value, digits = 1) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function formatTable(rows) {
  const header = ['server', 'req/s', 'p50 ms', 'p99 ms', 'ok', 'errors', 'rows stored'];
  const body = rows.map((row) => [
    row.name,
    row.requestsPerSecond.toFixed(1),
    String(row.latencyMs.p50),
    String(row.latencyMs.p99),
    String(row.ok),
    String(row.errors),
    row.persistedAccessTokens === undefined ? '-' : String(row.persistedAccessTokens),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((line) => line[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Every Authgate row against every peer: throughput ratio (>1 is faster) and p99 ratio (<1 is better). */
export function ratioLines(rows) {
  const lines = [];
  const values = [];
  for (const ours of rows.filter((row) => row.ours)) {
    for (const peer of rows.filter((row) => !row.ours)) {
      const throughput = ours.requestsPerSecond / peer.requestsPerSecond;
      const p99 = peer.latencyMs.p99 > 0 ? ours.latencyMs.p99 / peer.latencyMs.p99 : null;
      values.push({ ours: ours.key, peer: peer.key, throughput: round(throughput, 3), p99: p99 === null ? null : round(p99, 3) });
      lines.push(`${ours.name} vs ${peer.name}: ${throughput.toFixed(2)}x requests/s, ${p99 === null ? 'n/a' : `${p99.toFixed(2)}x`} p99 latency`);
    }
  }
  return { lines, values };
}

/** Creates the benchmark's PostgreSQL database when it does not exist yet. */
export async function ensurePostgresDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`BENCH_POSTGRES_URL names an unusual database "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database ${name}`);
      console.log(`Created PostgreSQL database ${name}`);
    }
  } finally {
    await client.end();
  }
}
