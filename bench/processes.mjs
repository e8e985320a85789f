// Child processes of the benchmark: the server under test (core 0) and the load generator
// (core 1), each pinned with taskset so they never compete for the same core.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const SERVER_CORE = '0';
const LOAD_CORE = '1';
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (!hasTaskset) console.warn('WARNING: taskset is unavailable: processes are NOT pinned to cores; figures are not comparable with pinned runs.');

/** The command line for `node args…` pinned to a core when taskset works. */
function pinned(core, args) {
  return hasTaskset ? ['taskset', ['-c', core, process.execPath, ...args]] : [process.execPath, args];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** JSON lines a child printed on stdout, parsed (other lines are ignored). */
function jsonLines(text) {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/** Spawns a server script pinned to the server core; resolves once it prints its READY line. */
export function startServer(script, env, timeoutMs = 30_000) {
  const [command, args] = pinned(SERVER_CORE, [...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), script]);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const server = { child, stdout: () => stdout, stderr: () => stderr, ready: undefined };
  return new Promise((resolve, reject) => {
    const fail = (message) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${script}: ${message}\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code) => fail(`exited with code ${code} before it was ready`));
    child.stdout.on('data', () => {
      const ready = jsonLines(stdout).find((line) => line.ready);
      if (!ready || server.ready) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      server.ready = ready;
      resolve(server);
    });
  });
}

/** SIGTERM, wait for the exit (SIGKILL after 15 s); returns the last JSON line the server printed. */
export function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({});
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(jsonLines(server.stdout()).find((line) => line.stopped) ?? {});
    });
    child.kill('SIGTERM');
  });
}

/** The resident set size of a process in MB (VmRSS of /proc/<pid>/status), or null when unreadable. */
export function rssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** Runs bench/load.mjs (autocannon or a flow loop) in its own process pinned to the load core; resolves with its summary. */
export function runLoad(options) {
  const [command, args] = pinned(LOAD_CORE, [join(benchDir, 'load.mjs'), JSON.stringify(options)]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const [result] = jsonLines(stdout);
      if (code !== 0 || !result) reject(new Error(`load generator exited with code ${code}${stderr ? `: ${stderr.slice(-2000)}` : ''}`));
      else resolve(result);
    });
  });
}
