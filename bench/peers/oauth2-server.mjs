// Benchmark peer: @node-oauth/oauth2-server (v5) on a plain node:http server.
// It only USES the library. The model does the same work Authgate does for a client
// credentials request, so the comparison is fair: a keyed SHA-256 client secret check in
// constant time, an ES256 JWT access token signed with jose, the token kept in memory.
//
// env: PORT (required), BENCH_CLIENT_ID, BENCH_CLIENT_SECRET.
// Prints one JSON line `{"ready":true,...}` on stdout once listening.
import { Buffer } from 'node:buffer';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { URLSearchParams } from 'node:url';
import OAuth2Server from '@node-oauth/oauth2-server';
import { SignJWT, generateKeyPair } from 'jose';

const { Request, Response, OAuthError } = OAuth2Server;

const port = Number(process.env.PORT ?? 0);
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const issuer = `http://127.0.0.1:${port}`;
const accessTokenLifetime = 3600;

const { privateKey } = await generateKeyPair('ES256');
const hmacKey = randomBytes(32);
const hashSecret = (secret) => createHmac('sha256', hmacKey).update(secret).digest();

const clients = new Map([[clientId, { id: clientId, secretHash: hashSecret(clientSecret), grants: ['client_credentials'] }]]);
const tokens = new Map();

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
  async validateScope(_user, _client, scope) {
    return (scope ?? []).filter(Boolean);
  },
  async generateAccessToken(client, _user, scope) {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ scopes: scope, client_id: client.id, scope: scope.join(' ') })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench-es256' })
      .setIssuer(issuer)
      .setAudience(client.id)
      .setJti(randomBytes(40).toString('hex'))
      .setSubject(client.id)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + accessTokenLifetime)
      .sign(privateKey);
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    tokens.set(token.accessToken, saved);
    return saved;
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime });

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, headers, body) {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function handle(req, res) {
  const url = new URL(req.url, issuer);
  if (req.method !== 'POST' || url.pathname !== '/oauth/token') return send(res, 404, {}, { error: 'not_found' });
  // RFC 6749 section 3.1: parameters sent without a value are treated as omitted (`scope=`).
  const params = [...new URLSearchParams(await readBody(req))].filter(([, value]) => value !== '');
  const body = Object.fromEntries(params);
  const request = new Request({ method: req.method, headers: req.headers, query: Object.fromEntries(url.searchParams), body });
  const response = new Response();
  try {
    await oauth.token(request, response);
    send(res, response.status, response.headers, response.body);
  } catch (error) {
    if (!(error instanceof OAuthError)) console.error(error);
    send(res, response.status ?? 500, response.headers, response.body ?? { error: 'server_error' });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) send(res, 500, {}, { error: 'server_error' });
  });
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ ready: true, port: server.address().port, clientId, clientSecret, tokenPath: '/oauth/token' }));
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
