import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Above this much WAL the write load is real: checkpointing moves to a worker thread. */
const START_AT_BYTES = 4 * 1024 * 1024;
const WATCH_EVERY_MS = 1_000;
const CHECKPOINT_EVERY_MS = 200;

/**
 * The worker's whole program: its own connection to the database file, a PASSIVE checkpoint
 * (never waits for the writer, never blocks it) every few hundred milliseconds, until told to stop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 100');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next turn retries */ }
}, workerData.everyMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * A WAL checkpoint copies the log into the database file and fsyncs it: tens of milliseconds
 * that, run by the writing connection on the main thread, stall every request in flight (the
 * token endpoint's p99 went from 10 to 27 ms under load). Once the WAL shows real write load,
 * a worker thread checkpoints in the background instead, so the main connection's own automatic
 * checkpoint — still there should the worker fall behind — finds almost nothing left to copy.
 * Idle databases, tests and CLI commands never start the worker.
 */
export function backgroundCheckpoints(file: string): { stop(): Promise<void> } {
  let worker: Worker | undefined;
  const watch = setInterval(() => {
    if (walBytes(file) < START_AT_BYTES) return;
    clearInterval(watch);
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS },
    });
    // A failed worker leaves checkpointing to the main connection, as before it started.
    worker.on('error', () => undefined);
    worker.unref();
  }, WATCH_EVERY_MS);
  watch.unref();
  return {
    async stop() {
      clearInterval(watch);
      if (!worker) return;
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      await worker.terminate();
    },
  };
}

function walBytes(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
