// Tables, medians, the targets verdict, and the PostgreSQL database for token-postgres.
import pg from 'pg';

export function round(value, digits = 1) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(header, body) {
  const cells = body.map((line) => line.map((cell) => String(cell ?? '-')));
  const widths = header.map((cell, i) => Math.max(cell.length, ...cells.map((line) => line[i].length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The round with the median throughput (its own latencies, not a mix of rounds), with every round's figure. */
export function medianRound(results) {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  // Errors of any round count: a round with errors must not hide behind a clean median.
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  return { ...median, rounds: results.map((r) => round(r.requestsPerSecond)), errorsAllRounds: errors };
}

/** One scenario's table: each server's figures and Authgate ÷ that server. */
export function scenarioTable(rows, unit) {
  const ours = rows.find((row) => row.role === 'ours');
  const header = ['server', `${unit}/s`, 'p50 ms', 'p99 ms', 'ok', 'errors', 'RSS MB', 'Authgate ÷', 'rounds'];
  const body = rows.map((row) => [
    row.name,
    round(row.requestsPerSecond).toFixed(1),
    round(row.latencyMs.p50),
    round(row.latencyMs.p99),
    row.ok,
    row.errorsAllRounds > 0 ? `${row.errorsAllRounds} !!` : 0,
    row.rssMb,
    ours && row !== ours ? `${(ours.requestsPerSecond / row.requestsPerSecond).toFixed(2)}×` : '',
    row.rounds.length > 1 ? row.rounds.join(' / ') : '',
  ]);
  return formatTable(header, body);
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
