// Benchmark server: Authgate from the BUILT dist (run `npm run build` first), with a fresh
// storage directory and an SQLite file database in it (or PostgreSQL with DATABASE_URL),
// so every issued token is persisted exactly as in production. The token rate limit is off
// and logging silent: the benchmark measures issuance, not the limiter or pino.
//
// env: PORT (required), DATABASE_URL (optional, postgres://…; a fresh schema per run),
//      BENCH_CPU_PROFILE (optional file: a V8 CPU profile from READY until stop, so start-up
//      and module loading stay out of it; summarise with `node bench/hotspots.mjs <file>`).
// Prints one JSON line `{"ready":true,"clientId":…,"clientSecret":…}` on stdout once listening.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../dist/src/config.js';
import { buildApp } from '../dist/src/http/app.js';
import { generateClientSecret, hashClientSecret } from '../dist/src/oauth/secrets.js';
import { createServices } from '../dist/src/services.js';

const storagePath = mkdtempSync(join(tmpdir(), 'authgate-bench-'));
const port = process.env.PORT ?? '0';
const postgresUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
const schema = postgresUrl ? `bench_${process.pid}_${Date.now()}` : undefined;

const config = loadConfig({
  STORAGE_PATH: storagePath,
  DATABASE_URL: postgresUrl ?? `sqlite:${join(storagePath, 'database.sqlite')}`,
  APP_URL: `http://127.0.0.1:${port}`,
  HOST: '127.0.0.1',
  PORT: port,
  TOKEN_RATE_LIMIT: '0',
  LOG_LEVEL: 'silent',
});
const services = await createServices(config, { generateSecrets: true, migrate: true, ...(schema ? { databaseSchema: schema } : {}) });

const clientSecret = generateClientSecret();
const client = await services.repositories.clients.create({
  userId: null,
  name: 'Benchmark',
  secretHash: hashClientSecret(clientSecret, services.appKey),
  redirectUris: [],
  grantTypes: null,
});

const app = await buildApp(services);
await app.listen({ port: Number(port), host: '127.0.0.1' });
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
const address = app.server.address();
console.log(
  JSON.stringify({
    ready: true,
    port: typeof address === 'object' && address ? address.port : Number(port),
    clientId: client.id,
    clientSecret,
    tokenPath: '/oauth/token',
    database: services.database.dialect,
    storagePath,
  }),
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  if (profiler) await stopProfiler(profiler, process.env.BENCH_CPU_PROFILE);
  await app.close();
  // Proof for the runner that every issued token was persisted.
  const { count } = await services.database.db
    .selectFrom('oauth_access_tokens')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  console.log(JSON.stringify({ stopped: true, persistedAccessTokens: Number(count) }));
  if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(services.database.db);
  await services.close();
  rmSync(storagePath, { recursive: true, force: true });
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfiler(session, file) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}
