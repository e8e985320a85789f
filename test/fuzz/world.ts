import { opaqueToken, sha256 } from '../../src/oauth/random-tokens.js';
import { hashClientSecret } from '../../src/oauth/secrets.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { InjectBrowser, loginThroughForm } from '../helpers/cookie-jar.js';

export const PASSWORD = 'correct horse battery';
export const SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-fuzz';
export const REDIRECT = 'https://client.example/callback';
export const LOOPBACK = 'http://127.0.0.1/callback';
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** What the fuzzed requests may use to get past the first checks: a logged-in session, tokens, clients, codes. */
export interface World {
  t: TestApp;
  /** Values a fuzzed parameter may take besides hostile ones. */
  known: string[];
  session: { cookie: string; csrf: string };
  bearer: { star: string; read: string; write: string; machineRead: string; machineWrite: string };
  basic: { confidential: string; password: string };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One application (SQLite or PostgreSQL) seeded with users, a session, clients, tokens, codes and device codes. */
export async function createWorld(database: 'sqlite' | 'postgres'): Promise<World> {
  const t = await createTestApp({
    database,
    env: {
      OAUTH_PASSWORD_GRANT: 'true',
      OAUTH_DYNAMIC_REGISTRATION: 'open',
      DYNAMIC_REGISTRATION_RATE_LIMIT: '0',
      TOKEN_RATE_LIMIT: '0',
      REGISTER_RATE_LIMIT: '0',
      LOGIN_RATE_LIMIT: '0',
    },
  });
  const { services } = t;
  const clients = t.storage.repositories.clients;
  const ada = await services.users.register({ name: 'Ada Lovelace', email: 'ada@example.com', password: PASSWORD });
  const bob = await services.users.register({ name: 'Bob', email: 'bob@example.com', password: PASSWORD });
  const secretHash = hashClientSecret(SECRET, services.appKey);
  const confidential = await clients.create({ userId: null, name: 'Fuzz Web App', secretHash, redirectUris: [REDIRECT] });
  const publicClient = await clients.create({ userId: null, name: 'Fuzz Native App', secretHash: null, redirectUris: [LOOPBACK] });
  const passwordClient = await clients.create({ userId: null, name: 'Fuzz Password', secretHash, redirectUris: [], passwordClient: true });
  const firstParty = await clients.create({ userId: null, name: 'Fuzz First Party', secretHash, redirectUris: [REDIRECT], skipsAuthorization: true });
  const adaClient = await clients.create({ userId: ada.id, name: "Ada's App", secretHash, redirectUris: [REDIRECT] });
  const bobClient = await clients.create({ userId: bob.id, name: "Bob's App", secretHash, redirectUris: [REDIRECT] });
  const machine = await clients.create({ userId: null, name: 'Fuzz Machine', secretHash, redirectUris: [], grantTypes: ['client_credentials'] });

  const issue = async (clientId: string, userId: number | null, scopes: string[]) =>
    t.core.tokenService.issueAccessToken({ clientId, userId, scopes, ttlSeconds: 3600 });
  const star = await issue(adaClient.id, ada.id, ['*']);
  const read = await issue(adaClient.id, ada.id, ['users:read']);
  const write = await issue(adaClient.id, ada.id, ['users:write']);
  const machineRead = await issue(machine.id, null, ['users:read']);
  const machineWrite = await issue(machine.id, null, ['users:write']);
  // Tokens the fuzzer may revoke or look up (never the ones it authenticates with).
  const spare = await Promise.all([issue(confidential.id, ada.id, ['users:read']), issue(confidential.id, bob.id, []), issue(adaClient.id, ada.id, [])]);

  const codes: string[] = [];
  for (const [client, challenge] of [
    [confidential, null],
    [confidential, VERIFIER],
    [publicClient, VERIFIER],
    [firstParty, null],
  ] as const) {
    const code = opaqueToken(32);
    await t.storage.repositories.authCodes.create({
      id: sha256(code),
      userId: ada.id,
      clientId: client.id,
      scopes: ['users:read'],
      expiresAt: new Date(Date.now() + 3_600_000),
      redirectUri: client.redirectUris[0] ?? null,
      codeChallenge: challenge,
      codeChallengeMethod: challenge ? 'plain' : null,
      nonce: null,
      authTime: Math.floor(Date.now() / 1000),
    });
    codes.push(code);
  }

  const basic = (id: string) => `Basic ${Buffer.from(`${id}:${SECRET}`).toString('base64')}`;
  const refreshTokens: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: basic(passwordClient.id) },
      payload: `grant_type=password&username=ada%40example.com&password=${encodeURIComponent(PASSWORD)}&scope=users%3Aread`,
    });
    if (res.statusCode !== 200) throw new Error(`seeding a refresh token: ${res.statusCode} ${res.body}`);
    refreshTokens.push((res.json() as { refresh_token: string }).refresh_token);
  }
  const device: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const res = await t.app.inject({ method: 'POST', url: '/oauth/device/code', headers: FORM, payload: `client_id=${publicClient.id}&scope=users%3Aread` });
    if (res.statusCode !== 200) throw new Error(`seeding a device code: ${res.statusCode} ${res.body}`);
    const body = res.json() as { device_code: string; user_code: string };
    device.push(body.device_code, body.user_code, body.user_code.replace('-', '').toLowerCase());
  }

  const browser = new InjectBrowser(t.app);
  const login = await loginThroughForm(browser, 'ada@example.com', PASSWORD);
  if (login.statusCode !== 302) throw new Error(`seeding the session: ${login.statusCode}`);
  const dashboard = await browser.get('/dashboard');
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(dashboard.body)?.[1];
  if (!csrf) throw new Error('seeding the session: no CSRF token on the dashboard');

  const known = [
    ...[confidential, publicClient, passwordClient, firstParty, adaClient, bobClient, machine].map((client) => client.id),
    SECRET,
    REDIRECT,
    LOOPBACK,
    'https://client.example/other',
    VERIFIER,
    'ada@example.com',
    'ADA@example.com',
    'bob@example.com',
    'new.user@example.com',
    PASSWORD,
    'password123',
    'Ada',
    'users:read',
    'users:write',
    'users:read users:write',
    'openid profile email',
    'code',
    'token',
    'S256',
    'plain',
    'none',
    'login',
    'consent',
    'approve',
    'deny',
    'DELETE',
    'access_token',
    'refresh_token',
    'authorization_code',
    'client_credentials',
    'password',
    DEVICE_GRANT,
    'personal_access',
    'xyz-state',
    csrf,
    String(ada.id),
    String(bob.id),
    ...spare.map((token) => token.record.id),
    ...spare.map((token) => token.jwt),
    machineRead.jwt,
    ...codes,
    ...refreshTokens,
    ...device,
  ];
  return {
    t,
    known,
    session: { cookie: browser.jar.header(), csrf },
    bearer: { star: star.jwt, read: read.jwt, write: write.jwt, machineRead: machineRead.jwt, machineWrite: machineWrite.jwt },
    basic: { confidential: basic(confidential.id), password: basic(passwordClient.id) },
  };
}
