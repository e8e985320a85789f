// Benchmark ceiling: a bare node:http server doing only the cryptography of each scenario, with
// nothing stored and nothing looked up — what no real server on one core can beat by much.
//   BENCH_CEILING_CRYPTO=node  node:crypto, synchronous: crypto.sign / crypto.verify
//   BENCH_CEILING_CRYPTO=jose  jose's SignJWT / jwtVerify (WebCrypto, asynchronous)
//
// Routes (the same paths as Authgate):
//   POST /oauth/token       HTTP Basic checked (keyed SHA-256, constant time), body read,
//                           a JWT access token signed (BENCH_ALG), the token response sent
//   GET  /api/user          the Bearer JWT's signature verified, its payload parsed, exp
//                           checked, the user JSON sent (bearer-* pools are minted by this server)
//   POST /oauth/introspect  HTTP Basic checked, the `token` verified as above, RFC 7662 JSON sent
import { Buffer } from 'node:buffer';
import { createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual, verify } from 'node:crypto';
import { URLSearchParams } from 'node:url';
import { SignJWT, jwtVerify } from 'jose';
import { benchEnv, benchUser, needsPool, parseBasic, parseBearer, readBody, sendJson, serveBench, writePool } from './kit.mjs';

const bench = benchEnv();
const cryptoKind = process.env.BENCH_CEILING_CRYPTO ?? 'node';
if (cryptoKind !== 'node' && cryptoKind !== 'jose') throw new Error(`BENCH_CEILING_CRYPTO must be node or jose, got ${cryptoKind}`);
const issuer = `http://127.0.0.1:${bench.port}`;
const clientId = 'bench-client';
const clientSecret = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const lifetime = 3600;

const { privateKey, publicKey } =
  bench.alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
// JWS wants the raw r||s form of an ECDSA signature, not DER.
const signOptions = bench.alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
const verifyOptions = bench.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
const header = { alg: bench.alg, typ: 'JWT', kid: 'bench' };
const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');

const hmacKey = randomBytes(32);
const hashSecret = (secret) => createHmac('sha256', hmacKey).update(secret).digest();
const secretHash = hashSecret(clientSecret);

function claimsFor(subject, audience) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: audience, jti: randomBytes(40).toString('hex'), iat: now, nbf: now, exp: now + lifetime, sub: subject, scopes: [] };
}

function signNode(claims) {
  const input = `${encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), signOptions).toString('base64url')}`;
}

const signJose = (claims) => new SignJWT(claims).setProtectedHeader(header).sign(privateKey);

/** The payload of a valid, unexpired JWT signed by our key; undefined otherwise. */
function verifyNode(jwt) {
  const firstDot = jwt.indexOf('.');
  const lastDot = jwt.lastIndexOf('.');
  if (firstDot < 0 || lastDot === firstDot) return undefined;
  const ok = verify('sha256', Buffer.from(jwt.slice(0, lastDot)), verifyOptions, Buffer.from(jwt.slice(lastDot + 1), 'base64url'));
  if (!ok) return undefined;
  const payload = JSON.parse(Buffer.from(jwt.slice(firstDot + 1, lastDot), 'base64url').toString('utf8'));
  return typeof payload.exp === 'number' && payload.exp > Date.now() / 1000 ? payload : undefined;
}

async function verifyJose(jwt) {
  try {
    return (await jwtVerify(jwt, publicKey, { issuer, algorithms: [bench.alg] })).payload;
  } catch {
    return undefined;
  }
}

const signJwt = cryptoKind === 'node' ? signNode : signJose;
const verifyJwt = cryptoKind === 'node' ? verifyNode : verifyJose;

function clientOk(req) {
  const basic = parseBasic(req.headers.authorization);
  if (!basic || basic.id !== clientId) return false;
  return timingSafeEqual(hashSecret(basic.secret), secretHash);
}

async function handle(req, res) {
  const path = req.url.split('?', 1)[0];
  if (req.method === 'POST' && path === '/oauth/token') {
    const params = new URLSearchParams(await readBody(req));
    if (!clientOk(req)) return sendJson(res, 401, { error: 'invalid_client' });
    if (params.get('grant_type') !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type' });
    const jwt = await signJwt(claimsFor(clientId, clientId));
    return sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, access_token: jwt }, { 'cache-control': 'no-store' });
  }
  if (req.method === 'GET' && path === '/api/user') {
    const token = parseBearer(req.headers.authorization);
    const payload = token && (await verifyJwt(token));
    if (!payload) return sendJson(res, 401, { message: 'Unauthenticated.' });
    return sendJson(res, 200, benchUser);
  }
  if (req.method === 'POST' && path === '/oauth/introspect') {
    const params = new URLSearchParams(await readBody(req));
    if (!clientOk(req)) return sendJson(res, 401, { error: 'invalid_client' });
    const token = params.get('token');
    const payload = token && (await verifyJwt(token));
    if (!payload) return sendJson(res, 200, { active: false });
    const { exp, iat, nbf, sub, aud, iss, jti } = payload;
    return sendJson(res, 200, { active: true, scope: '', client_id: clientId, token_type: 'Bearer', exp, iat, nbf, sub, aud, iss, jti });
  }
  await readBody(req);
  return sendJson(res, 404, { error: 'not_found' });
}

const ready = { clientId, clientSecret, tokenPath: '/oauth/token', introspectPath: '/oauth/introspect', userPath: '/api/user', crypto: cryptoKind, alg: bench.alg };
if (needsPool(bench.scenario)) {
  const tokens = Array.from({ length: bench.poolSize }, () => signNode(claimsFor(String(benchUser.id), clientId)));
  writePool(bench.poolFile, tokens);
  Object.assign(ready, { poolFile: bench.poolFile, poolSize: tokens.length, user: { id: benchUser.id, email: benchUser.email } });
}

serveBench(handle, ready);
