// `npm run bench`: client credentials token issuance (ES256 JWT access tokens) of Authgate
// against node-oidc-provider and @node-oauth/oauth2-server, in one run, on one machine.
// Each server is pinned to core 0 and the load generator to core 1 (taskset), one server at
// a time, so no run steals CPU from another. Results: a table on stdout, ratios against each
// peer, and bench/results/latest.json.
//
// env: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (50), BENCH_WARMUP (s, 2),
//      BENCH_ROUNDS (1; the targets run interleaved this many times and each row reports its
//      median round, which damps noise from other work on the machine),
//      BENCH_POSTGRES=1 (extra Authgate row on PostgreSQL), BENCH_POSTGRES_URL
//      (postgres://postgres@127.0.0.1:5432/authgate_bench; the database is created if missing),
//      BENCH_TARGETS (comma-separated subset of the target names), BENCH_SKIP_BUILD=1,
//      BENCH_PROFILE=1 (CPU-profile the Authgate servers under load: bench/results/<key>.cpuprofile
//      and the top hotspots printed).
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
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
  rounds: positive('BENCH_ROUNDS', 1),
  postgres: process.env.BENCH_POSTGRES === '1',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/authgate_bench',
  profile: process.env.BENCH_PROFILE === '1',
};
const resultsDir = join(benchDir, 'results');

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
async function measure(target, round) {
  const port = await freePort();
  console.log(`\n▶ ${target.name}${settings.rounds > 1 ? ` (round ${round})` : ''}: starting on port ${port} (core 0)`);
  const profileFile = settings.profile && target.ours && round === 1 ? join(resultsDir, `${target.key}.cpuprofile`) : undefined;
  if (profileFile) mkdirSync(resultsDir, { recursive: true });
  const env = { ...target.env, PORT: String(port), ...(profileFile ? { BENCH_CPU_PROFILE: profileFile } : {}) };
  const server = await startServer(join(benchDir, target.script), env);
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
    if (profileFile) printHotspots(profileFile);
    return { ...summarize(target, result), ...(stopped.persistedAccessTokens !== undefined ? { persistedAccessTokens: stopped.persistedAccessTokens } : {}) };
  } catch (error) {
    await stopServer(server).catch(() => undefined);
    if (server.stderr()) console.error(`--- ${target.name} stderr ---\n${server.stderr()}`);
    throw error;
  }
}

/** The round with the median throughput (its own latencies, not a mix of rounds). */
function medianRound(results) {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return results.length > 1 ? { ...median, rounds: results.map((r) => r.requestsPerSecond) } : median;
}

function printHotspots(file) {
  console.log(`  CPU profile: ${file}`);
  spawnSync(process.execPath, [join(benchDir, 'hotspots.mjs'), file, '15'], { stdio: 'inherit' });
}

async function main() {
  if (targets.length === 0) throw new Error(`BENCH_TARGETS matched nothing; names: ${allTargets.map((t) => t.key).join(', ')}`);
  build();
  if (settings.postgres && targets.some((t) => t.key === 'authgate-postgres')) await ensurePostgresDatabase(settings.postgresUrl);
  const loadBefore = loadavg()[0];
  if (loadBefore > 0.5) console.warn(`NOTE: load average ${loadBefore.toFixed(2)} before the run: other work on this machine skews the figures.`);
  const byTarget = new Map(targets.map((target) => [target.key, []]));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const target of targets) byTarget.get(target.key).push(await measure(target, round));
  }
  const rows = targets.map((target) => medianRound(byTarget.get(target.key)));

  const table = formatTable(rows);
  const ratios = ratioLines(rows);
  const rounds = settings.rounds > 1 ? `, median of ${settings.rounds} rounds` : '';
  console.log(`\nClient credentials token issuance, ES256, ${settings.connections} connections, ${settings.duration}s${rounds}, server on 1 core\n`);
  console.log(table);
  if (ratios.lines.length) console.log(`\n${ratios.lines.join('\n')}`);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).stdout.trim(),
    settings,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    results: rows,
    ratios: ratios.values,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('\nWrote bench/results/latest.json');
}

main().catch((error) => {
  console.error(`\nBenchmark FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
