// `npm run bench`: every scenario of bench/scenarios.mjs, in one run, each measured on the bare
// ceilings (node:http + node:crypto, node:http + jose), the peers that support it
// (node-oidc-provider, @node-oauth/oauth2-server) and Authgate. Each server runs alone in its
// own process pinned to core 0, the load generator in another pinned to core 1 (taskset).
// Rounds are interleaved (round 1 of every server, then round 2, …) and each row reports its
// median round. Output: one table per scenario, a Targets table, and bench/results/<time>.json
// plus bench/results/latest.json. See bench/README.md.
//
// env: BENCH_SCENARIOS (comma-separated subset; default all), BENCH_TARGETS (subset of servers),
//      BENCH_DURATION (s, 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50), BENCH_ROUNDS (3),
//      BENCH_POOL (480000 distinct tokens for bearer-distinct and bearer-signature), BENCH_MEMORY_SECONDS (60 per
//      phase), BENCH_FLOW_WORKERS (10, code-flow), BENCH_REFRESH_WORKERS (BENCH_CONNECTIONS),
//      BENCH_USERS (20, code-flow and refresh), BENCH_POSTGRES_URL
//      (postgres://postgres@127.0.0.1:5432/authgate_bench; created when missing),
//      BENCH_SKIP_BUILD=1, BENCH_PROFILE=1 (CPU profile of Authgate in round 1 of each scenario:
//      bench/results/<scenario>-<server>.cpuprofile, hotspots printed).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { freePort, rssMb, runLoad, startServer, stopServer } from './processes.mjs';
import { ensurePostgresDatabase, formatTable, medianRound, round, scenarioTable } from './report.mjs';
import { goals, scenarios, servers } from './scenarios.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const resultsDir = join(benchDir, 'results');

function positive(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return Number(value);
}

function list(name, known) {
  const names = process.env[name]?.split(',').map((item) => item.trim()).filter(Boolean);
  if (!names) return undefined;
  const unknown = names.filter((item) => !known.includes(item));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return names;
}

const settings = {
  scenarios: list('BENCH_SCENARIOS', Object.keys(scenarios)) ?? Object.keys(scenarios),
  targets: list('BENCH_TARGETS', Object.keys(servers)),
  duration: positive('BENCH_DURATION', 10),
  warmup: positive('BENCH_WARMUP', 2),
  connections: positive('BENCH_CONNECTIONS', 50),
  rounds: positive('BENCH_ROUNDS', 3),
  pool: positive('BENCH_POOL', 480_000),
  memorySeconds: positive('BENCH_MEMORY_SECONDS', 60),
  flowWorkers: positive('BENCH_FLOW_WORKERS', 10),
  refreshWorkers: positive('BENCH_REFRESH_WORKERS', positive('BENCH_CONNECTIONS', 50)),
  users: positive('BENCH_USERS', 20),
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/authgate_bench',
  profile: process.env.BENCH_PROFILE === '1',
};

function build() {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  console.log('Building Authgate (npm run build)…');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: rootDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the benchmark runs Authgate from dist/');
}

const targetsOf = (scenario) => scenario.targets.filter((key) => !settings.targets || settings.targets.includes(key));

let rsaKeys;
/** The RSA 2048 key Authgate gets as OAUTH_PRIVATE_KEY / OAUTH_PUBLIC_KEY for token-rs256 (the others make their own). */
function rsaPems() {
  rsaKeys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { OAUTH_PRIVATE_KEY: rsaKeys.privateKey, OAUTH_PUBLIC_KEY: rsaKeys.publicKey };
}

function serverEnv(scenarioKey, scenario, serverKey, port, poolFile, profileFile) {
  const server = servers[serverKey];
  const alg = scenario.alg ?? 'ES256';
  return {
    ...server.env,
    PORT: String(port),
    BENCH_SCENARIO: scenarioKey,
    BENCH_ALG: alg,
    BENCH_POOL: String(scenario.pool ? (scenario.poolSize ?? settings.pool) : 0),
    BENCH_POOL_FILE: poolFile,
    BENCH_USERS: String(settings.users),
    ...(serverKey === 'authgate-postgres' ? { DATABASE_URL: settings.postgresUrl } : {}),
    ...(server.role === 'ours' && alg === 'RS256' ? rsaPems() : {}),
    ...(profileFile ? { BENCH_CPU_PROFILE: profileFile } : {}),
  };
}

/** Starts one server, proves it answers correctly, warms it up, measures, proves it again, stops it. */
async function measure(scenarioKey, serverKey, roundNo, workDir) {
  const scenario = scenarios[scenarioKey];
  const server = servers[serverKey];
  const port = await freePort();
  console.log(`\n▶ ${scenarioKey} · ${server.name}${settings.rounds > 1 ? ` (round ${roundNo})` : ''}: starting on port ${port} (core 0)`);
  const profileFile = settings.profile && server.role === 'ours' && roundNo === 1 ? join(resultsDir, `${scenarioKey}-${serverKey}.cpuprofile`) : undefined;
  if (profileFile) mkdirSync(resultsDir, { recursive: true });
  const poolFile = join(workDir, `${scenarioKey}-${serverKey}-${roundNo}.pool`);
  const env = serverEnv(scenarioKey, scenario, serverKey, port, poolFile, profileFile);
  const poolSize = Number(env.BENCH_POOL);
  const started = await startServer(join(benchDir, server.script), env, 60_000 + poolSize * 3);
  try {
    const { ready } = started;
    if (ready.poolSize !== undefined) console.log(`  ${ready.poolSize} tokens minted${ready.mintSeconds ? ` in ${ready.mintSeconds.toFixed(1)} s` : ''}`);
    const base = `http://127.0.0.1:${ready.port}`;
    const state = await scenario.prepare(base, ready);
    console.log(`  before: ${await scenario.verify(base, ready, state)}`);
    const loadOf = (phase, duration) => ({ ...scenario.load(base, ready, state, phase, settings), connections: settings.connections, duration });
    if (scenario.memory) return await memoryRun(started, loadOf, base, ready, state, scenario);
    console.log(`  warming up ${settings.warmup}s…`);
    const warm = await runLoad(loadOf('warmup', settings.warmup));
    console.log(`  measuring ${settings.duration}s (load on core 1)…`);
    const result = await runLoad(loadOf('measure', settings.duration));
    // The warm-up walks the pool from its end, the measurement from its start: they must not meet.
    if (result.pool) result.pool.wrapped = result.pool.tokensSent + (warm.pool?.tokensSent ?? 0) > result.pool.size;
    console.log(`  ${round(result.requestsPerSecond)} ${scenario.unit ?? 'requests'}/s, p99 ${round(result.latencyMs.p99)} ms${result.errors ? `, ${result.errors} ERRORS` : ''}`);
    console.log(`  after: ${await scenario.verify(base, ready, state)}`);
    const rss = rssMb(started.child.pid);
    const stopped = await stopServer(started);
    if (profileFile) printHotspots(profileFile);
    return {
      ...result,
      scenario: scenarioKey,
      server: serverKey,
      name: server.name,
      role: server.role,
      rssMb: rss,
      ...(stopped.persistedAccessTokens !== undefined ? { persistedAccessTokens: stopped.persistedAccessTokens } : {}),
    };
  } catch (error) {
    await stopServer(started).catch(() => undefined);
    if (started.stderr()) console.error(`--- ${server.name} stderr ---\n${started.stderr().slice(-3000)}`);
    throw error;
  } finally {
    rmSync(poolFile, { force: true });
  }
}

/** Two back-to-back phases of load, the server's RSS sampled every second throughout. */
async function memoryRun(started, loadOf, base, ready, state, scenario) {
  const pid = started.child.pid;
  const samples = [{ second: 0, rssMb: rssMb(pid) }];
  const t0 = Date.now();
  const sampler = setInterval(() => samples.push({ second: Math.round((Date.now() - t0) / 1000), rssMb: rssMb(pid) }), 1000);
  const phases = [];
  try {
    for (const phase of [1, 2]) {
      console.log(`  phase ${phase}: ${settings.memorySeconds}s of load…`);
      const result = await runLoad(loadOf('measure', settings.memorySeconds));
      phases.push({ ...result, rssMb: rssMb(pid) });
      console.log(`  phase ${phase}: ${round(result.requestsPerSecond)} requests/s, RSS ${phases.at(-1).rssMb} MB${result.errors ? `, ${result.errors} ERRORS` : ''}`);
    }
  } finally {
    clearInterval(sampler);
  }
  console.log(`  after: ${await scenario.verify(base, ready, state)}`);
  await stopServer(started);
  const values = samples.map((s) => s.rssMb).filter((v) => typeof v === 'number');
  return {
    scenario: 'memory',
    server: 'authgate',
    name: servers.authgate.name,
    role: 'ours',
    rssStartMb: samples[0].rssMb,
    rssAfterMinute1Mb: phases[0].rssMb,
    rssAfterMinute2Mb: phases[1].rssMb,
    rssPeakMb: Math.max(...values),
    phaseSeconds: settings.memorySeconds,
    phases: phases.map((p) => ({ requestsPerSecond: round(p.requestsPerSecond), p99: p.latencyMs.p99, errors: p.errors, rssMb: p.rssMb })),
    errors: phases.reduce((sum, p) => sum + p.errors, 0),
    samples,
  };
}

function printHotspots(file) {
  console.log(`  CPU profile: ${file}`);
  spawnSync(process.execPath, [join(benchDir, 'hotspots.mjs'), file, '15'], { stdio: 'inherit' });
}

function printScenario(key, rows) {
  const scenario = scenarios[key];
  console.log(`\n■ ${key}: ${scenario.title}`);
  console.log(`  ${settings.connections} connections${scenario.flow ? ` (flows: ${key === 'code-flow' ? settings.flowWorkers : settings.refreshWorkers} workers)` : ''}, ${settings.duration}s, median of ${settings.rounds} round(s), server on 1 core\n`);
  console.log(scenarioTable(rows, scenario.unit ?? 'req'));
  for (const row of rows.filter((r) => r.errorsAllRounds > 0)) {
    console.log(`  !!! ${row.name}: ${row.errorsAllRounds} ERRORS over the rounds — ${JSON.stringify(row.errorDetail)}`);
  }
  for (const row of rows.filter((r) => r.pool?.wrapped)) {
    console.log(`  !!! ${row.name}: sent ${row.pool.tokensSent} tokens (after the warm-up's) from a pool of ${row.pool.size}: tokens were reused (raise BENCH_POOL)`);
  }
  // The load generator must not be the limit: the bare crypto.sign/verify server should be well ahead.
  const ceiling = rows.find((r) => r.server === 'ceiling-node');
  const best = Math.max(0, ...rows.filter((r) => r.role !== 'ceiling').map((r) => r.requestsPerSecond));
  if (ceiling && best > 0 && ceiling.requestsPerSecond < best * 1.1) {
    console.log(`  NOTE: the node:crypto ceiling (${round(ceiling.requestsPerSecond)}/s) is not clearly above the best server (${round(best)}/s): the load generator or the machine may be the limit.`);
  }
}

function printMemory(row) {
  console.log(`\n■ memory: ${scenarios.memory.title}, ${settings.connections} connections, 2 × ${settings.memorySeconds}s\n`);
  console.log(
    formatTable(
      ['server', 'RSS start MB', 'after phase 1', 'after phase 2', 'peak', 'req/s phase 1', 'req/s phase 2', 'errors'],
      [[row.name, row.rssStartMb, row.rssAfterMinute1Mb, row.rssAfterMinute2Mb, row.rssPeakMb, row.phases[0].requestsPerSecond, row.phases[1].requestsPerSecond, row.errors > 0 ? `${row.errors} !!` : 0]],
    ),
  );
}

function evaluateGoals(rowsByKey, memory) {
  const verdicts = goals.map((goal) => {
    const row = rowsByKey.get(goal.row);
    const versus = rowsByKey.get(goal.versus);
    if (!row || !versus) return { ...goal, ratio: null, status: 'not measured' };
    const ratio = row.requestsPerSecond / versus.requestsPerSecond;
    const clean = row.errorsAllRounds === 0 && versus.errorsAllRounds === 0;
    return { ...goal, ratio: round(ratio, 3), status: ratio >= goal.atLeast ? (clean ? 'met' : 'met (with errors!)') : 'MISSED' };
  });
  if (memory) {
    verdicts.push({ label: 'memory: ≤ 150 MB RSS after phase 1', value: memory.rssAfterMinute1Mb, atLeast: null, status: memory.rssAfterMinute1Mb <= 150 ? 'met' : 'MISSED' });
    const growth = memory.rssAfterMinute2Mb / memory.rssAfterMinute1Mb;
    verdicts.push({ label: 'memory: flat over phase 2 (≤ +5 %)', ratio: round(growth, 3), status: growth <= 1.05 ? 'met' : 'MISSED' });
  } else {
    verdicts.push({ label: 'memory: ≤ 150 MB RSS after phase 1', status: 'not measured' }, { label: 'memory: flat over phase 2 (≤ +5 %)', status: 'not measured' });
  }
  return verdicts;
}

async function main() {
  build();
  const planned = settings.scenarios.filter((key) => targetsOf(scenarios[key]).length > 0);
  if (planned.length === 0) throw new Error('BENCH_SCENARIOS and BENCH_TARGETS leave nothing to measure');
  if (planned.includes('token-postgres')) await ensurePostgresDatabase(settings.postgresUrl);
  const loadBefore = loadavg()[0];
  if (loadBefore > 0.5) console.warn(`NOTE: load average ${loadBefore.toFixed(2)} before the run: other work on this machine skews the figures.`);
  console.log(`Scenarios: ${planned.join(', ')}`);
  const workDir = mkdtempSync(join(tmpdir(), 'authgate-bench-pools-'));
  const rowsByKey = new Map();
  const tables = {};
  const failures = [];
  let memory;
  try {
    for (const key of planned) {
      const scenario = scenarios[key];
      try {
        if (scenario.memory) {
          memory = await measure(key, 'authgate', 1, workDir);
          printMemory(memory);
          continue;
        }
        const byServer = new Map(targetsOf(scenario).map((server) => [server, []]));
        for (let r = 1; r <= settings.rounds; r++) {
          for (const server of byServer.keys()) byServer.get(server).push(await measure(key, server, r, workDir));
        }
        const rows = [...byServer.values()].map(medianRound);
        for (const row of rows) rowsByKey.set(`${key}/${row.server}`, row);
        tables[key] = rows;
        printScenario(key, rows);
      } catch (error) {
        failures.push({ scenario: key, error: error instanceof Error ? error.message : String(error) });
        console.error(`\n!!! scenario ${key} FAILED: ${failures.at(-1).error}`);
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  const verdicts = evaluateGoals(rowsByKey, memory);
  console.log('\n■ Targets\n');
  console.log(formatTable(['target', 'measured', 'status'], verdicts.map((v) => [v.label, v.ratio != null ? `${v.ratio.toFixed(2)}×` : v.value != null ? `${v.value} MB` : '-', v.status])));
  if (failures.length) console.log(`\n!!! ${failures.length} scenario(s) FAILED: ${failures.map((f) => f.scenario).join(', ')}`);

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).stdout.trim(),
    settings,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    scenarios: tables,
    memory,
    targets: verdicts,
    failures,
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${report.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nWrote ${file} and bench/results/latest.json`);
  if (failures.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`\nBenchmark FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
