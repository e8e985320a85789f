// `npm run soak`: Authgate from the BUILT dist (built first unless SOAK_SKIP_BUILD=1), started as
// `node dist/src/main.js` on a fresh storage folder, under a mixed load for SOAK_WARMUP (10) then
// SOAK_SECONDS (60) seconds:
// client-credentials token requests, bearer GET /api/user, and introspection, in turn on each of
// SOAK_CONNECTIONS (50, the benchmark's) connections. The server's RSS is sampled every second.
//
// Fails (exit 1) on any error or non-2xx answer, on a shutdown that is not clean (SIGTERM, exit
// 0), or when memory grows in the second half: the least-squares slope of RSS over the second
// half above SOAK_MAX_SLOPE MB/min (20) AND the last quarter's peak more than SOAK_MAX_GROWTH
// percent (10) above the first half's — a leak shows both, GC noise rarely does.
//
// The warm-up (JIT, heap sizing, the SQLite WAL filling up to its checkpoint) is not judged.
//
// env: SOAK_SECONDS, SOAK_WARMUP, SOAK_CONNECTIONS, SOAK_MAX_SLOPE, SOAK_MAX_GROWTH, SOAK_SKIP_BUILD=1,
//      SOAK_DATABASE_URL (postgres://…; default SQLite in the temporary storage folder).
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from './processes.mjs';

const rootDir = dirname(dirname(fileURLToPath(import.meta.url)));
const settings = {
  seconds: positive('SOAK_SECONDS', 60),
  warmup: positive('SOAK_WARMUP', 10),
  connections: positive('SOAK_CONNECTIONS', 50),
  maxSlope: positive('SOAK_MAX_SLOPE', 20),
  maxGrowth: positive('SOAK_MAX_GROWTH', 10),
};

function positive(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return Number(value);
}

if (process.env.SOAK_SKIP_BUILD !== '1') {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: rootDir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed: the soak runs Authgate from dist/');
}

const storage = mkdtempSync(join(tmpdir(), 'authgate-soak-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  PATH: process.env.PATH ?? '',
  STORAGE_PATH: storage,
  HOST: '127.0.0.1',
  PORT: String(port),
  APP_URL: base,
  TOKEN_RATE_LIMIT: '0',
  LOGIN_RATE_LIMIT: '0',
  REGISTER_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
  ...(process.env.SOAK_DATABASE_URL ? { DATABASE_URL: process.env.SOAK_DATABASE_URL } : {}),
};

const server = spawn(process.execPath, [join(rootDir, 'dist/src/main.js')], { cwd: storage, env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverOutput = '';
server.stdout.on('data', (chunk) => (serverOutput += chunk));
server.stderr.on('data', (chunk) => (serverOutput += chunk));
const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));

let failure;
try {
  await waitUntilReady();
  const client = createClient();
  const basic = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
  const user = { name: 'Soak', email: 'soak@example.com', password: 'soak-password', password_confirmation: 'soak-password' };
  await call('POST', '/api/users', { 'content-type': 'application/json' }, JSON.stringify(user));
  const { access_token: userToken } = await call('POST', '/api/login', { 'content-type': 'application/json' }, JSON.stringify({ email: user.email, password: user.password }));
  const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const { access_token: machineToken } = await call('POST', '/oauth/token', form, 'grant_type=client_credentials&scope=users%3Aread');

  const load = (duration) =>
    autocannon({
      url: base,
      connections: settings.connections,
      duration,
      requests: [
        { method: 'POST', path: '/oauth/token', headers: form, body: 'grant_type=client_credentials&scope=users%3Aread' },
        { method: 'GET', path: '/api/user', headers: { authorization: `Bearer ${userToken}`, accept: 'application/json' } },
        { method: 'POST', path: '/oauth/introspect', headers: form, body: `token=${machineToken}` },
      ],
    });
  const warmup = await load(settings.warmup);
  const samples = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    const rss = rssMb(server.pid);
    if (rss !== undefined) samples.push({ t: (Date.now() - started) / 1000, rss });
  }, 1000);
  const result = await load(settings.seconds);
  clearInterval(sampler);
  const bad = (run) => run.errors + run.timeouts + run.non2xx;

  server.kill('SIGTERM');
  const exit = await exited;
  const memory = judgeMemory(samples);
  const problems = [
    ...(bad(warmup) + bad(result) > 0 ? [`${warmup.errors + result.errors} errors, ${warmup.timeouts + result.timeouts} timeouts, ${warmup.non2xx + result.non2xx} non-2xx answers`] : []),
    ...(exit.code === 0 ? [] : [`the server did not shut down cleanly on SIGTERM (${JSON.stringify(exit)})`]),
    ...memory.problems,
  ];
  report(warmup, result, memory, exit);
  if (problems.length > 0) failure = problems.join('; ');
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
  server.kill('SIGKILL');
  await exited;
} finally {
  rmSync(storage, { recursive: true, force: true });
}
if (failure) {
  console.error(`SOAK FAILED: ${failure}`);
  if (serverOutput.trim()) console.error(`server output:\n${serverOutput.slice(-4000)}`);
  process.exit(1);
}
console.log('SOAK PASSED');

async function waitUntilReady(deadline = Date.now() + 30_000) {
  for (;;) {
    try {
      if ((await fetch(`${base}/oauth/jwks`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the server did not answer within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A client-credentials client, through the product's own CLI. */
function createClient() {
  const cli = spawnSync(process.execPath, [join(rootDir, 'dist/src/cli/index.js'), 'client:create', '--name', 'Soak', '--client-credentials', '--json'], { cwd: storage, env, encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`client:create failed: ${cli.stderr}`);
  return JSON.parse(cli.stdout);
}

async function call(method, path, headers, body) {
  const res = await fetch(base + path, { method, headers: { accept: 'application/json', ...headers }, body });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Resident set size in MB, from /proc (Linux) or ps. */
function rssMb(pid) {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // no /proc
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kb = Number(ps.stdout.trim());
  return Number.isFinite(kb) && kb > 0 ? kb / 1024 : undefined;
}

function slopePerMinute(points) {
  const n = points.length;
  if (n < 2) return 0;
  const meanT = points.reduce((sum, p) => sum + p.t, 0) / n;
  const meanR = points.reduce((sum, p) => sum + p.rss, 0) / n;
  const num = points.reduce((sum, p) => sum + (p.t - meanT) * (p.rss - meanR), 0);
  const den = points.reduce((sum, p) => sum + (p.t - meanT) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

function judgeMemory(samples) {
  if (samples.length < 4) return { problems: [`only ${samples.length} RSS samples`], samples };
  const half = samples.slice(0, Math.floor(samples.length / 2));
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const lastQuarter = samples.slice(Math.floor((samples.length * 3) / 4));
  const peak = (points) => Math.max(...points.map((p) => p.rss));
  const figures = {
    start: samples[0].rss,
    end: samples.at(-1).rss,
    firstHalfPeak: peak(half),
    lastQuarterPeak: peak(lastQuarter),
    secondHalfSlope: slopePerMinute(secondHalf),
  };
  const growth = ((figures.lastQuarterPeak - figures.firstHalfPeak) / figures.firstHalfPeak) * 100;
  const leaking = figures.secondHalfSlope > settings.maxSlope && growth > settings.maxGrowth;
  return {
    ...figures,
    growth,
    samples,
    problems: leaking
      ? [`RSS grows in the second half: ${figures.secondHalfSlope.toFixed(1)} MB/min (limit ${settings.maxSlope}) and the last quarter peaks ${growth.toFixed(1)}% above the first half (limit ${settings.maxGrowth}%)`]
      : [],
  };
}

function report(warmup, result, memory, exit) {
  const mb = (value) => `${value.toFixed(1)} MB`;
  console.log(`Soak: ${settings.warmup} s warm-up, then ${settings.seconds} s measured; ${settings.connections} connections, ${memory.samples.length} RSS samples`);
  console.log(`  warm-up: ${warmup.requests.total} requests, non-2xx ${warmup.non2xx}, errors ${warmup.errors}, timeouts ${warmup.timeouts}`);
  console.log(`  requests: ${result.requests.total} (${Math.round(result.requests.average)}/s), 2xx ${result['2xx']}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
  console.log(`  latency: p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
  if (memory.start !== undefined) {
    console.log(`  RSS: start ${mb(memory.start)}, first-half peak ${mb(memory.firstHalfPeak)}, last-quarter peak ${mb(memory.lastQuarterPeak)} (${memory.growth >= 0 ? '+' : ''}${memory.growth.toFixed(1)}%), end ${mb(memory.end)}`);
    console.log(`  RSS slope over the second half: ${memory.secondHalfSlope.toFixed(1)} MB/min`);
    const every = Math.max(1, Math.round(memory.samples.length / 12));
    console.log(`  RSS every ${every} s (MB): ${memory.samples.filter((_, i) => i % every === 0).map((p) => Math.round(p.rss)).join(' ')}`);
  }
  console.log(`  shutdown on SIGTERM: ${exit.code === 0 ? 'exit 0' : JSON.stringify(exit)}`);
}
