// Benchmark server: Authgate from the BUILT dist (run `npm run build` first), with a fresh
// storage directory and an SQLite file database in it (or PostgreSQL with DATABASE_URL),
// so every issued token is persisted exactly as in production. The token and login rate
// limits are off and logging silent: the benchmark measures the server, not the limiter or pino.
//
// env (besides those of kit.mjs): DATABASE_URL (optional, postgres://…; a fresh schema per run,
//      dropped at the end), OAUTH_PRIVATE_KEY / OAUTH_PUBLIC_KEY (optional PEMs: an RSA key makes
//      RS256 tokens), BENCH_CPU_PROFILE (optional file: a V8 CPU profile from READY until stop,
//      so start-up and minting stay out of it; summarise with `node bench/hotspots.mjs <file>`).
//
// What it prepares, by scenario (all through the use cases, as the CLI and routes do):
//   every scenario    a client-credentials client (HTTP Basic)
//   bearer-*          a user and BENCH_POOL personal access tokens, minted concurrently
//                     (bearer-signature: their cached states without the print of the token
//                     as issued, so every request verifies the token's signature)
//   code-flow         BENCH_USERS users and a confidential third-party client (consent shown)
//   refresh           BENCH_USERS users and a confidential password client (OAUTH_PASSWORD_GRANT)
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../dist/src/config.js';
import { buildApp } from '../../dist/src/http/app.js';
import { assembleServices } from '../../dist/src/services.js';
import { announce, benchEnv, benchPassword, mintAll, needsPool, onStop, writePool } from './kit.mjs';

const bench = benchEnv();
const storagePath = mkdtempSync(join(tmpdir(), 'authgate-bench-'));
const port = String(bench.port);
const postgresUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined;
const schema = postgresUrl ? `bench_${process.pid}_${Date.now()}` : undefined;
const redirectUri = 'https://client.example/callback';

const config = loadConfig({
  STORAGE_PATH: storagePath,
  DATABASE_URL: postgresUrl ?? `sqlite:${join(storagePath, 'database.sqlite')}`,
  APP_URL: `http://127.0.0.1:${port}`,
  HOST: '127.0.0.1',
  PORT: port,
  TOKEN_RATE_LIMIT: '0',
  LOGIN_RATE_LIMIT: '0',
  LOG_LEVEL: 'silent',
  // The live-token table sized for the pool, as an operator sizes it for the tokens live at once
  // (past it the state of a token is read back from the database, its signature verified).
  CACHE_MAX_ENTRIES: String(Math.max(200_000, bench.poolSize + 20_000)),
  ...(bench.scenario === 'refresh' ? { OAUTH_PASSWORD_GRANT: 'true' } : {}),
  ...(process.env.OAUTH_PRIVATE_KEY ? { OAUTH_PRIVATE_KEY: process.env.OAUTH_PRIVATE_KEY, OAUTH_PUBLIC_KEY: process.env.OAUTH_PUBLIC_KEY } : {}),
});
const { services, storage, cache } = await assembleServices(config, { generateSecrets: true, migrate: true, ...(schema ? { databaseSchema: schema } : {}) });

const machine = await services.clients.register({ userId: null, name: 'Benchmark', redirectUris: [], confidential: true, kind: 'client_credentials' });
const ready = { port: bench.port, clientId: machine.client.id, clientSecret: machine.plainSecret, tokenPath: '/oauth/token', introspectPath: '/oauth/introspect', userPath: '/api/user' };

async function createUsers(count) {
  return mintAll(count, 4, async (i) => {
    const email = `bench${i}@example.com`;
    const user = await services.users.register({ name: `Bench User ${i}`, email, password: benchPassword });
    return { id: user.id, email, password: benchPassword };
  });
}

/** Mints the pool and writes it out; in a function so the tokens are garbage once written (RSS is measured). */
async function preparePool() {
  const [user] = await createUsers(1);
  await services.personalAccess.ensureClient();
  const started = Date.now();
  // Each issue signs one JWT and inserts one row; many in flight let Authgate batch the inserts.
  const tokens = await mintAll(bench.poolSize, 256, async () => (await services.personalAccess.issue({ userId: user.id, name: 'bench', scopes: [] })).jwt);
  writePool(bench.poolFile, tokens);
  if (bench.scenario === 'bearer-signature') await forgetPrints(tokens);
  return { poolFile: bench.poolFile, poolSize: tokens.length, mintSeconds: (Date.now() - started) / 1000, user: { id: user.id, email: user.email } };
}
/** bearer-signature: the pool's token states without the print of the token as issued, so each request verifies the signature. */
async function forgetPrints(tokens) {
  for (const jwt of tokens) {
    const { jti, exp } = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
    const state = await cache.get(`token:${jti}`);
    if (!state?.print) throw new Error('bearer-signature: a minted token has no print to forget');
    const { user, client, scopes, audience } = state;
    await cache.put(`token:${jti}`, { user, client, scopes, audience }, exp - Math.floor(Date.now() / 1000));
  }
}
if (needsPool(bench.scenario)) Object.assign(ready, await preparePool());
if (bench.scenario === 'code-flow') {
  const web = await services.clients.register({ userId: null, name: 'Bench Web App', redirectUris: [redirectUri], confidential: true, kind: 'authorization_code' });
  Object.assign(ready, { users: await createUsers(bench.users), flowClient: { id: web.client.id, secret: web.plainSecret, redirectUri } });
}
if (bench.scenario === 'refresh') {
  const app = await services.clients.register({ userId: null, name: 'Bench Password App', redirectUris: [], confidential: true, kind: 'password' });
  Object.assign(ready, { users: await createUsers(bench.users), flowClient: { id: app.client.id, secret: app.plainSecret } });
}

const app = await buildApp(services);
await app.listen({ port: bench.port, host: '127.0.0.1' });
const profiler = process.env.BENCH_CPU_PROFILE ? await startProfiler() : undefined;
const address = app.server.address();
announce({ ...ready, port: typeof address === 'object' && address ? address.port : bench.port, database: storage.database.dialect, storagePath });

onStop(async () => {
  if (profiler) await stopProfiler(profiler, process.env.BENCH_CPU_PROFILE);
  await app.close();
  // Proof for the runner that every issued token was persisted.
  const { count } = await storage.database.db
    .selectFrom('oauth_access_tokens')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  console.log(JSON.stringify({ stopped: true, persistedAccessTokens: Number(count) }));
  if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(storage.database.db);
  await services.close();
  rmSync(storagePath, { recursive: true, force: true });
});

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
