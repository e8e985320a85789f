import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

export interface TestKey {
  kid: string;
  alg: 'ES256' | 'RS256' | 'EdDSA';
  privateKey: CryptoKey;
  jwk: JWK;
}

export async function makeKey(alg: TestKey['alg'] = 'ES256', kid = randomBytes(8).toString('hex')): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

/**
 * A stand-in for Authgate on a loopback port: it serves `/oauth/jwks` from a key list the test
 * can rotate (and counts the fetches), and its RFC 8414 discovery document.
 */
export interface TestAuthServer {
  issuer: string;
  jwksUri: string;
  keys: TestKey[];
  jwksFetches: number;
  /** When set, the JWKS endpoint answers with this status instead. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startAuthServer(keys: TestKey[]): Promise<TestAuthServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') return serveJson(res, authorizationServerMetadata(state.issuer));
    if (req.url !== '/oauth/jwks') return void res.writeHead(404).end();
    state.jwksFetches += 1;
    if (state.failWith !== undefined) return void res.writeHead(state.failWith).end();
    serveJson(res, { keys: state.keys.map((key) => key.jwk) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: TestAuthServer = {
    issuer: `http://127.0.0.1:${port}`,
    jwksUri: `http://127.0.0.1:${port}/oauth/jwks`,
    keys,
    jwksFetches: 0,
    failWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

function serveJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Enough RFC 8414 metadata for the MCP SDK's client to start an authorization like Authgate's. */
function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    jwks_uri: `${issuer}/oauth/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    client_id_metadata_document_supported: true,
  };
}

export interface TokenOptions {
  issuer: string;
  audience: string | string[];
  scopes?: string[];
  clientId?: string;
  subject?: string;
  /** Seconds from now. */
  expiresIn?: number;
  issuedAt?: number;
  notBefore?: number;
  header?: Record<string, unknown>;
  claims?: JWTPayload;
}

/** A token shaped like Authgate's (src/oauth/token-service.ts): at+jwt, kid, Passport's claims plus RFC 9068's. */
export async function signToken(key: TestKey, options: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = options.issuedAt ?? now;
  const scopes = options.scopes ?? [];
  const clientId = options.clientId ?? '9f1c2d3e-client';
  // Claims set as one object, in Authgate's order, so a test can also remove any of them.
  const payload: JWTPayload = {
    scopes,
    client_id: clientId,
    scope: scopes.join(' '),
    iss: options.issuer,
    aud: options.audience,
    jti: randomBytes(40).toString('hex'),
    sub: options.subject ?? '42',
    iat,
    nbf: options.notBefore ?? iat,
    exp: now + (options.expiresIn ?? 3600),
    ...options.claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header })
    .sign(key.privateKey);
}

/** An unsigned JWT (`alg: none`), which no verifier may accept. */
export function unsignedToken(claims: JWTPayload, header: Record<string, unknown> = {}): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'at+jwt', ...header })}.${part(claims)}.`;
}
