// Benchmark peer: @node-oauth/oauth2-server (v5) on a plain node:http server.
// It only USES the library. The model does the same work Authgate does, so the comparison is
// fair, except that everything lives in Maps instead of a database:
//   POST /oauth/token  client credentials: a keyed SHA-256 client secret check in constant time,
//                      a JWT access token signed with jose (BENCH_ALG), the token kept in a Map;
//                      refresh_token (scenario refresh): the library's rotation (old refresh
//                      token revoked, a new pair issued); password: only to hand out the first
//                      refresh tokens
//   GET  /api/user     the library's authenticate(): the model's getAccessToken verifies the
//                      JWT with jose, looks the token up in its Map, and the user JSON is sent
// Introspection is not something the library offers: no introspect route.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { URLSearchParams } from 'node:url';
import OAuth2Server from '@node-oauth/oauth2-server';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';
import { benchEnv, benchPassword, benchUser, mintAll, needsPool, readBody, sendJson, serveBench, writePool } from './kit.mjs';

const { Request, Response, OAuthError } = OAuth2Server;

const bench = benchEnv();
const clientId = 'bench-client';
const clientSecret = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const issuer = `http://127.0.0.1:${bench.port}`;
const accessTokenLifetime = 3600;

const { privateKey, publicKey } = await generateKeyPair(bench.alg);
const hmacKey = randomBytes(32);
const hashSecret = (secret) => createHmac('sha256', hmacKey).update(secret).digest();

const clients = new Map([[clientId, { id: clientId, secretHash: hashSecret(clientSecret), grants: ['client_credentials', 'password', 'refresh_token'] }]]);
const users = new Map(Array.from({ length: Math.max(1, bench.users) }, (_, i) => [`bench${i}@example.com`, { ...benchUser, id: i + 1, email: `bench${i}@example.com` }]));
const tokens = new Map();
const refreshTokens = new Map();

const model = {
  async getClient(id, secret) {
    const client = clients.get(id);
    if (!client || typeof secret !== 'string') return null;
    const actual = hashSecret(secret);
    return timingSafeEqual(actual, client.secretHash) ? client : null;
  },
  // The client acts on its own behalf (RFC 6749 section 4.4); the library needs a truthy user.
  async getUserFromClient(client) {
    return { id: client.id };
  },
  async getUser(username, password) {
    const user = users.get(username);
    return user && password === benchPassword ? user : false;
  },
  async validateScope(_user, _client, scope) {
    return (scope ?? []).filter(Boolean);
  },
  async generateAccessToken(client, user, scope) {
    return signAccessToken(client.id, String(user.id), scope ?? []);
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    tokens.set(token.accessToken, saved);
    if (token.refreshToken) refreshTokens.set(token.refreshToken, saved);
    return saved;
  },
  async getAccessToken(jwt) {
    try {
      await jwtVerify(jwt, publicKey, { issuer, algorithms: [bench.alg] });
    } catch {
      return null;
    }
    return tokens.get(jwt) ?? null;
  },
  async getRefreshToken(refreshToken) {
    return refreshTokens.get(refreshToken) ?? null;
  },
  async revokeToken(token) {
    return refreshTokens.delete(token.refreshToken);
  },
};

function signAccessToken(client, subject, scope) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ scopes: scope, client_id: client, scope: scope.join(' ') })
    .setProtectedHeader({ alg: bench.alg, typ: 'at+jwt', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience(client)
    .setJti(randomBytes(40).toString('hex'))
    .setSubject(subject)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + accessTokenLifetime)
    .sign(privateKey);
}

const oauth = new OAuth2Server({ model, accessTokenLifetime, refreshTokenLifetime: 30 * 86400 });

async function handle(req, res) {
  const url = new URL(req.url, issuer);
  const query = Object.fromEntries(url.searchParams);
  if (req.method === 'GET' && url.pathname === '/api/user') {
    const request = new Request({ method: req.method, headers: req.headers, query, body: {} });
    const response = new Response();
    try {
      const token = await oauth.authenticate(request, response);
      return sendJson(res, 200, token.user);
    } catch (error) {
      if (!(error instanceof OAuthError)) console.error(error);
      return sendJson(res, error.code ?? 500, { message: 'Unauthenticated.' }, response.headers);
    }
  }
  if (req.method !== 'POST' || url.pathname !== '/oauth/token') {
    await readBody(req);
    return sendJson(res, 404, { error: 'not_found' });
  }
  // RFC 6749 section 3.1: parameters sent without a value are treated as omitted (`scope=`).
  const params = [...new URLSearchParams(await readBody(req))].filter(([, value]) => value !== '');
  const request = new Request({ method: req.method, headers: req.headers, query, body: Object.fromEntries(params) });
  const response = new Response();
  try {
    await oauth.token(request, response);
    sendJson(res, response.status, response.body, response.headers);
  } catch (error) {
    if (!(error instanceof OAuthError)) console.error(error);
    sendJson(res, response.status ?? 500, response.body ?? { error: 'server_error' }, response.headers);
  }
}

const ready = { clientId, clientSecret, tokenPath: '/oauth/token', userPath: '/api/user' };
if (needsPool(bench.scenario)) {
  const user = users.values().next().value;
  const client = clients.get(clientId);
  const expires = new Date(Date.now() + accessTokenLifetime * 1000);
  const started = Date.now();
  const pool = await mintAll(bench.poolSize, 256, async () => {
    const accessToken = await signAccessToken(clientId, String(user.id), []);
    await model.saveToken({ accessToken, accessTokenExpiresAt: expires, scope: [] }, client, user);
    return accessToken;
  });
  writePool(bench.poolFile, pool);
  Object.assign(ready, { poolFile: bench.poolFile, poolSize: pool.length, mintSeconds: (Date.now() - started) / 1000, user: { id: user.id, email: user.email } });
}
if (bench.scenario === 'refresh') {
  Object.assign(ready, {
    users: [...users.keys()].map((email) => ({ email, password: benchPassword })),
    flowClient: { id: clientId, secret: clientSecret },
  });
}

serveBench(handle, ready);
