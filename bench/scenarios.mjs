// The servers, the scenarios, what each sends, how each answer is checked before and after
// measuring, and the issue's targets. run.mjs drives them.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { decodeProtectedHeader } from 'jose';

/**
 * The Node.js flags `npm start` runs Authgate with (package.json): Authgate is measured as it is
 * deployed. (--max-semi-space-size=4: a smaller young generation, ~30 MB less RSS at the same speed.)
 */
const startFlags = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .scripts.start.split(' ')
  .filter((word) => word.startsWith('--'))
  .join(' ');

/** Every server the benchmark can start. role: ceiling (bare crypto), peer, or ours (Authgate). */
export const servers = {
  'ceiling-node': { name: 'ceiling: node:http + node:crypto', script: 'servers/ceiling.mjs', env: { BENCH_CEILING_CRYPTO: 'node' }, role: 'ceiling' },
  'ceiling-jose': { name: 'ceiling: node:http + jose', script: 'servers/ceiling.mjs', env: { BENCH_CEILING_CRYPTO: 'jose' }, role: 'ceiling' },
  'oidc-provider': { name: 'node-oidc-provider 9', script: 'servers/oidc-provider.mjs', env: {}, role: 'peer' },
  'oauth2-server': { name: '@node-oauth/oauth2-server 5', script: 'servers/oauth2-server.mjs', env: {}, role: 'peer' },
  authgate: { name: 'Authgate (SQLite)', script: 'servers/authgate.mjs', env: { NODE_OPTIONS: startFlags }, role: 'ours' },
  'authgate-postgres': { name: 'Authgate (PostgreSQL)', script: 'servers/authgate.mjs', env: { NODE_OPTIONS: startFlags }, role: 'ours' },
};

const form = 'application/x-www-form-urlencoded';

export function basicAuth(ready) {
  return `Basic ${Buffer.from(`${encodeURIComponent(ready.clientId)}:${encodeURIComponent(ready.clientSecret)}`).toString('base64')}`;
}

async function call(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

/** One client-credentials request; throws unless it is a 200 with a JWT access token signed with `alg`. */
async function issueToken(base, ready, alg) {
  const url = `${base}${ready.tokenPath}`;
  const answer = await call(url, {
    method: 'POST',
    headers: { authorization: basicAuth(ready), 'content-type': form, accept: 'application/json' },
    body: 'grant_type=client_credentials&scope=',
  });
  if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') {
    throw new Error(`POST ${url} answered ${answer.status} ${answer.text.slice(0, 300)} — expected 200 with an access_token`);
  }
  if (alg) {
    const header = decodeProtectedHeader(answer.body.access_token);
    if (header.alg !== alg) throw new Error(`POST ${url} issued a ${header.alg} token, expected ${alg}: the comparison would be unfair`);
  }
  return answer.body;
}

const firstPoolToken = (ready) => readFileSync(ready.poolFile, 'utf8').split('\n', 1)[0];

async function verifyUser(base, ready, token) {
  const url = `${base}${ready.userPath}`;
  const answer = await call(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (answer.status !== 200 || answer.body?.email !== ready.user.email) {
    throw new Error(`GET ${url} answered ${answer.status} ${answer.text.slice(0, 300)} — expected 200 with the user ${ready.user.email}`);
  }
  return `200, user ${answer.body.email}`;
}

async function verifyIntrospection(base, ready, token) {
  const url = `${base}${ready.introspectPath}`;
  const answer = await call(url, {
    method: 'POST',
    headers: { authorization: basicAuth(ready), 'content-type': form, accept: 'application/json' },
    body: `token=${encodeURIComponent(token)}`,
  });
  if (answer.status !== 200 || answer.body?.active !== true) {
    throw new Error(`POST ${url} answered ${answer.status} ${answer.text.slice(0, 300)} — expected 200 with active: true`);
  }
  return `200, active: true, client_id ${answer.body.client_id}`;
}

const tokenLoad = (base, ready) => ({
  kind: 'autocannon',
  url: `${base}${ready.tokenPath}`,
  method: 'POST',
  headers: { authorization: basicAuth(ready), 'content-type': form, accept: 'application/json' },
  body: 'grant_type=client_credentials&scope=',
});

function tokenScenario(alg) {
  return {
    async prepare() {
      return { alg };
    },
    async verify(base, ready) {
      const body = await issueToken(base, ready, alg);
      return `200, ${alg} access token, expires_in ${body.expires_in}`;
    },
    load: tokenLoad,
  };
}

const bearerUser = (distinct) => ({
  pool: true,
  async prepare(base, ready) {
    return { token: firstPoolToken(ready) };
  },
  verify: (base, ready, state) => verifyUser(base, ready, state.token),
  load: (base, ready, state, phase) => ({
    kind: 'autocannon',
    url: `${base}${ready.userPath}`,
    method: 'GET',
    headers: distinct ? { accept: 'application/json' } : { accept: 'application/json', authorization: `Bearer ${state.token}` },
    ...(distinct ? { pool: { file: ready.poolFile, direction: phase === 'warmup' ? 'backwards' : 'forwards' } } : {}),
  }),
});

const flowScenario = (kind) => ({
  async prepare() {
    return {};
  },
  async verify(base, ready) {
    if (!ready.flowClient) throw new Error('the server prepared no client for this flow');
    return `${ready.users.length} users, client ${ready.flowClient.id}`;
  },
  load: (base, ready, state, phase, settings) => ({
    kind,
    base,
    tokenPath: ready.tokenPath,
    users: ready.users,
    flowClient: ready.flowClient,
    workers: kind === 'code-flow' ? settings.flowWorkers : (settings.refreshWorkers ?? settings.connections),
  }),
});

/**
 * Scenarios in the order they run. targets: the servers measured (BENCH_TARGETS narrows them);
 * alg: the signature of the servers' tokens; unit: what one "request" is.
 */
export const scenarios = {
  token: {
    title: 'Client credentials token issuance (HTTP Basic, ES256 JWT)',
    targets: ['ceiling-node', 'ceiling-jose', 'oidc-provider', 'oauth2-server', 'authgate'],
    ...tokenScenario('ES256'),
  },
  'bearer-distinct': {
    title: 'GET /api/user, a different ES256 bearer token every request',
    targets: ['ceiling-node', 'ceiling-jose', 'oauth2-server', 'authgate'],
    ...bearerUser(true),
  },
  // The same load, but Authgate must check every token's signature: its cached token states are
  // put back without the print of the token as issued (as for tokens of an older version, or
  // states read back from the database), so this row is the ECDSA path beside the ceiling's.
  'bearer-signature': {
    title: 'GET /api/user, a different ES256 bearer token every request, each checked by its signature',
    targets: ['ceiling-node', 'oauth2-server', 'authgate'],
    ...bearerUser(true),
  },
  'bearer-one': {
    title: 'GET /api/user, one ES256 bearer token for every request',
    targets: ['ceiling-node', 'ceiling-jose', 'oauth2-server', 'authgate'],
    poolSize: 1,
    ...bearerUser(false),
  },
  introspect: {
    title: 'POST introspection (RFC 7662, HTTP Basic) of an access token',
    targets: ['ceiling-node', 'ceiling-jose', 'oidc-provider', 'authgate'],
    async prepare(base, ready) {
      return { token: (await issueToken(base, ready)).access_token };
    },
    verify: (base, ready, state) => verifyIntrospection(base, ready, state.token),
    load: (base, ready, state) => ({
      kind: 'autocannon',
      url: `${base}${ready.introspectPath}`,
      method: 'POST',
      headers: { authorization: basicAuth(ready), 'content-type': form, accept: 'application/json' },
      body: `token=${encodeURIComponent(state.token)}`,
    }),
  },
  'token-rs256': {
    title: 'Client credentials token issuance (HTTP Basic, RS256 JWT, RSA 2048)',
    targets: ['ceiling-node', 'ceiling-jose', 'oidc-provider', 'oauth2-server', 'authgate'],
    alg: 'RS256',
    ...tokenScenario('RS256'),
  },
  'token-postgres': {
    title: 'Client credentials token issuance on PostgreSQL (ES256 JWT, every token persisted)',
    targets: ['authgate-postgres'],
    ...tokenScenario('ES256'),
  },
  'code-flow': {
    title: 'Authorization code flow with PKCE, end to end (login, consent, code exchange)',
    targets: ['authgate'],
    unit: 'flows',
    flow: true,
    ...flowScenario('code-flow'),
  },
  refresh: {
    title: 'Refresh token rotation (grant_type=refresh_token, HTTP Basic)',
    targets: ['oauth2-server', 'authgate'],
    unit: 'refreshes',
    flow: true,
    ...flowScenario('refresh'),
  },
  memory: {
    title: 'Memory: server RSS under client credentials load',
    targets: ['authgate'],
    memory: true,
    ...tokenScenario('ES256'),
  },
};

/**
 * The issue's targets: `row` ÷ `versus` (rows are `scenario/server`) must reach `atLeast`.
 * Memory targets are checked on the memory scenario's samples instead.
 */
export const goals = [
  { label: 'token: Authgate ≥ 2× node-oidc-provider (JWT)', row: 'token/authgate', versus: 'token/oidc-provider', atLeast: 2 },
  { label: 'token: Authgate ≥ 75 % of the crypto.sign ceiling', row: 'token/authgate', versus: 'token/ceiling-node', atLeast: 0.75 },
  { label: 'bearer-distinct: Authgate ≥ 1.1× oauth2-server', row: 'bearer-distinct/authgate', versus: 'bearer-distinct/oauth2-server', atLeast: 1.1 },
  { label: 'bearer-distinct: Authgate ≥ 90 % of the crypto.verify ceiling', row: 'bearer-distinct/authgate', versus: 'bearer-distinct/ceiling-node', atLeast: 0.9 },
  { label: 'bearer-one: Authgate ≥ 2× oauth2-server', row: 'bearer-one/authgate', versus: 'bearer-one/oauth2-server', atLeast: 2 },
  { label: 'introspect: Authgate ≥ 1.5× node-oidc-provider', row: 'introspect/authgate', versus: 'introspect/oidc-provider', atLeast: 1.5 },
  { label: 'token-rs256: Authgate ≥ 90 % of the RS256 crypto.sign ceiling', row: 'token-rs256/authgate', versus: 'token-rs256/ceiling-node', atLeast: 0.9 },
  { label: 'token-postgres: Authgate on PostgreSQL ≥ 70 % of Authgate on SQLite', row: 'token-postgres/authgate-postgres', versus: 'token/authgate', atLeast: 0.7 },
];
