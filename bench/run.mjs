// `npm run bench`: client credentials token issuance (ES256 JWT access tokens) of Authgate
// against node-oidc-provider and @node-oauth/oauth2-server, in one run, on one machine.
// Each server is pinned to core 0 and the load generator to core 1 (taskset), one server at
// a time, so no run steals CPU from another. Results: a table on stdout, ratios against each
// peer, and bench/results/latest.json.
//
// env: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (50), BENCH_WARMUP (s, 2),
//      BENCH_POSTGRES=1 (extra Authgate row on PostgreSQL), BENCH_POSTGRES_URL
//      (postgres://postgres@127.0.0.1:5432/authgate_bench; the database is created if missing),
//      BENCH_TARGETS (comma-separated subset of the target names), BENCH_SKIP_BUILD=1.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgresDatabase, formatTable, ratioLines, summarize } from './report.mjs';
import { freePort, runLoad, startServer, stopServer, verifyTokenResponse } from './processes.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const settings = {
  duration: positive('BENCH_DURATION', 10),
  connections: positive('BENCH_CONNECTIONS', 50),
  warmup: positive('BENCH_WARMUP', 2),
  postgres: process.env.BENCH_POSTGRES === '1',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/authgate_bench',
};

function positive(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return Number(value);
}

const allTargets = [
  { name: 'authgate (sqlite)', key: 'authgate', script: 'authgate-server.mjs', env: {}, ours: true },
  { name: 'oidc-provider', key: 'oidc-provider', script: 'peers/oidc-provider.mjs', env: {} },
  { name: 'oauth2-server', key: 'oauth2-server', script: 'peers/oauth2-server.mjs', env: {} },
  ...(settings.postgres
    ? [{ name: 'authgate (postgres)', key: 'authgate-postgres', script: 'authgate-server.mjs', env: { DATABASE_URL: settings.postgresUrl }, ours: true }]
    : []),
];
const wanted = process.env.BENCH_TARGETS?.split(',').map((name) => name.trim()).filter(Boolean);
const targets = wanted ? allTargets.filter((target) => wanted.includes(target.key)) : allTargets;

function build() {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  console.log('Building Authgate (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: rootDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the benchmark runs Authgate from dist/');
}

/** Starts one server, proves it issues an ES256 token, warms it up, measures, stops it. */
async function measure(target) {
  const port = await freePort();
  console.log(`\n▶ ${target.name}: starting on port ${port} (core 0)`);
  const server = await startServer(join(benchDir, target.script), { ...target.env, PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${server.ready.port}${server.ready.tokenPath}`;
    const authorization = `Basic ${Buffer.from(`${encodeURIComponent(server.ready.clientId)}:${encodeURIComponent(server.ready.clientSecret)}`).toString('base64')}`;
    const sample = await verifyTokenResponse(url, authorization);
    console.log(`  sample response OK: 200, ${sample.alg} access token, expires_in ${sample.expiresIn}`);
    const load = { url, authorization, connections: settings.connections };
    console.log(`  warming up ${settings.warmup}s…`);
    await runLoad({ ...load, duration: settings.warmup });
    console.log(`  measuring ${settings.duration}s with ${settings.connections} connections (core 1)…`);
    const result = await runLoad({ ...load, duration: settings.duration });
    await verifyTokenResponse(url, authorization);
    const stopped = await stopServer(server);
    return { ...summarize(target, result), ...(stopped.persistedAccessTokens !== undefined ? { persistedAccessTokens: stopped.persistedAccessTokens } : {}) };
  } catch (error) {
    await stopServer(server).catch(() => undefined);
    if (server.stderr()) console.error(`--- ${target.name} stderr ---\n${server.stderr()}`);
    throw error;
  }
}

async function main() {
  if (targets.length === 0) throw new Error(`BENCH_TARGETS matched nothing; names: ${allTargets.map((t) => t.key).join(', ')}`);
  build();
  if (settings.postgres && targets.some((t) => t.key === 'authgate-postgres')) await ensurePostgresDatabase(settings.postgresUrl);
  const rows = [];
  for (const target of targets) rows.push(await measure(target));

  const table = formatTable(rows);
  const ratios = ratioLines(rows);
  console.log(`\nClient credentials token issuance, ES256, ${settings.connections} connections, ${settings.duration}s, server on 1 core\n`);
  console.log(table);
  if (ratios.lines.length) console.log(`\n${ratios.lines.join('\n')}`);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).stdout.trim(),
    settings,
    results: rows,
    ratios: ratios.values,
  };
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  writeFileSync(join(benchDir, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nWrote bench/results/latest.json');
}

main().catch((error) => {
  console.error(`\nBenchmark FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
