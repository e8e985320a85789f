import { SignJWT } from 'jose';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientDirectory } from '../../src/oauth/client-directory.js';
import type { AccessTokenRepository, RefreshTokenRepository, UserLookup } from '../../src/oauth/ports.js';
import { buildKeySet, generateKeyPair as generateAuthgateKeyPair, publicJwks, signingKeyFromPem } from '../../src/oauth/signing-keys.js';
import type { StateCache } from '../../src/oauth/state-cache.js';
import { TokenService } from '../../src/oauth/token-service.js';
import { ResourceServerError, protectResource } from '../../src/resource-server/index.js';
import type { ProtectResourceOptions } from '../../src/resource-server/index.js';
import type { TestAuthServer, TestKey, TokenOptions } from './auth-server.js';
import { makeKey, signToken, startAuthServer, unsignedToken } from './auth-server.js';

const RESOURCE = 'https://mcp.example.com/mcp';

let auth: TestAuthServer;
let key: TestKey;

beforeAll(async () => {
  key = await makeKey('ES256');
  auth = await startAuthServer([key]);
});
afterAll(() => auth.close());

function guard(options: Partial<ProtectResourceOptions> = {}) {
  return protectResource({ issuer: auth.issuer, resource: RESOURCE, ...options });
}

function token(options: Partial<TokenOptions> = {}, signer: TestKey = key): Promise<string> {
  return signToken(signer, { issuer: auth.issuer, audience: RESOURCE, scopes: ['notes:read'], ...options });
}

async function refusal(promise: Promise<unknown>): Promise<ResourceServerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ResourceServerError) return error;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('verify: a valid token', () => {
  it('returns the MCP SDK AuthInfo fields plus subject and claims', async () => {
    const jwt = await token({ scopes: ['notes:read', 'notes:write'], clientId: 'client-1', subject: '7' });
    const info = await guard().verify(jwt);
    expect(info).toMatchObject({
      token: jwt,
      clientId: 'client-1',
      scopes: ['notes:read', 'notes:write'],
      subject: '7',
      extra: { subject: '7', issuer: auth.issuer },
    });
    expect(info.resource.href).toBe(RESOURCE);
    expect(info.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(info.claims.client_id).toBe('client-1');
  });

  it('accepts an audience list that contains the resource (RFC 8707 with several resources)', async () => {
    const info = await guard().verify(await token({ audience: ['https://other.example.com/api', RESOURCE] }));
    expect(info.clientId).toBeDefined();
  });

  it('takes a path-less resource with or without its `/` (RFC 3986 §6.2.3), as Authgate may name it either way', async () => {
    for (const [resource, audience] of [
      ['https://mcp.example.com', 'https://mcp.example.com/'],
      ['https://mcp.example.com/', 'https://mcp.example.com'],
    ]) {
      const info = await guard({ resource }).verify(await token({ audience }));
      expect(info.claims.aud).toBe(audience);
    }
    // A resource with a path is one spelling only.
    expect((await refusal(guard().verify(await token({ audience: `${RESOURCE}/` })))).code).toBe('invalid_token');
  });

  it('reads scopes from `scope`, or from `scopes` when there is no `scope`', async () => {
    const fromArray = await token({ claims: { scope: undefined, scopes: ['a', 'b'] } });
    expect((await guard().verify(fromArray)).scopes).toEqual(['a', 'b']);
    const fromString = await token({ claims: { scope: 'c d', scopes: undefined } });
    expect((await guard().verify(fromString)).scopes).toEqual(['c', 'd']);
  });

  it('accepts RS256 and EdDSA keys, and typ application/at+jwt', async () => {
    const rsa = await makeKey('RS256');
    const ed = await makeKey('EdDSA');
    auth.keys.push(rsa, ed);
    const fresh = guard();
    await expect(fresh.verify(await token({}, rsa))).resolves.toBeDefined();
    await expect(fresh.verify(await token({}, ed))).resolves.toBeDefined();
    await expect(fresh.verify(await token({ header: { typ: 'application/at+jwt' } }))).resolves.toBeDefined();
    auth.keys = [key];
  });

  it('tolerates small clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(guard().verify(await token({ issuedAt: now + 3 }))).resolves.toBeDefined();
    await expect(guard({ clockToleranceSeconds: 30 }).verify(await token({ expiresIn: -20 }))).resolves.toBeDefined();
  });
});

describe('verify: refusals', () => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    ['another issuer', () => token({ issuer: 'https://evil.example.com' }), 'issued by another authorization server'],
    ['another audience', () => token({ audience: 'https://other.example.com/mcp' }), 'not issued for this resource'],
    ['an audience list without the resource', () => token({ audience: ['a', 'b'] }), 'not issued for this resource'],
    ['the client id as audience (a token without resource)', () => token({ audience: 'client-1' }), 'not issued for this resource'],
    ['a trailing-slash variant of the resource', () => token({ audience: `${RESOURCE}/` }), 'not issued for this resource'],
    ['an expired token', () => token({ expiresIn: -60 }), 'expired'],
    ['a token not valid yet', () => token({ notBefore: Math.floor(Date.now() / 1000) + 120 }), 'not valid yet'],
    ['a token issued in the future', () => token({ issuedAt: Math.floor(Date.now() / 1000) + 120, notBefore: Math.floor(Date.now() / 1000) }), 'issued in the future'],
    ['typ JWT (an ID token or another JWT)', () => token({ header: { typ: 'JWT' } }), 'not an access token'],
    ['no typ', () => token({ header: { typ: undefined } }), 'not an access token'],
    ['no client_id', () => token({ claims: { client_id: undefined } }), '"client_id"'],
    ['no jti', () => token({ claims: { jti: undefined } }), '"jti"'],
    ['no iat', () => token({ claims: { iat: undefined } }), '"iat"'],
    ['no sub', () => token({ claims: { sub: undefined } }), '"sub"'],
    ['a malformed token', async () => 'not.a.jwt', 'malformed'],
  ];

  it.each(cases)('refuses %s', async (_label, make, message) => {
    const error = await refusal(guard().verify(await make()));
    expect([error.code, error.status]).toEqual(['invalid_token', 401]);
    expect(error.description).toContain(message);
  });

  it('refuses a token signed by another key under a known kid', async () => {
    const impostor = await makeKey('ES256', key.kid);
    const error = await refusal(guard().verify(await token({}, impostor)));
    expect([error.code, error.description]).toEqual(['invalid_token', 'The access token signature is invalid']);
  });

  it('refuses alg none and HS256 without fetching any key', async () => {
    const fresh = guard();
    const before = auth.jwksFetches;
    const claims = { iss: auth.issuer, aud: RESOURCE, sub: '1', client_id: 'c', jti: 'j', iat: 1, exp: 9999999999 };
    const none = await refusal(fresh.verify(unsignedToken(claims, { kid: key.kid })));
    expect(none.description).toContain('algorithm');
    const secret = new TextEncoder().encode('a shared secret that someone could guess');
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }).sign(secret);
    const error = await refusal(fresh.verify(hs256));
    expect([error.code, error.description]).toEqual(['invalid_token', 'The access token is signed with an algorithm this resource does not accept']);
    expect(auth.jwksFetches).toBe(before);
  });

  it('refuses a token that lacks a required scope with insufficient_scope (403)', async () => {
    const error = await refusal(guard({ scopes: ['notes:write'] }).verify(await token({ scopes: ['notes:read'] })));
    expect([error.code, error.status, error.requiredScopes]).toEqual(['insufficient_scope', 403, ['notes:write']]);
  });

  it('lets one call ask for other scopes', async () => {
    const protectedResource = guard({ scopes: ['notes:read'] });
    const jwt = await token({ scopes: ['notes:read'] });
    await expect(protectedResource.verify(jwt)).resolves.toBeDefined();
    expect((await refusal(protectedResource.verify(jwt, { scopes: ['notes:write'] }))).code).toBe('insufficient_scope');
    expect((await refusal(protectedResource.withScopes(['notes:write']).verify(jwt))).code).toBe('insufficient_scope');
  });
});

describe('verify: the key set', () => {
  it('fetches the JWKS once and caches it', async () => {
    const fresh = guard();
    const before = auth.jwksFetches;
    await fresh.verify(await token());
    await fresh.verify(await token());
    expect(auth.jwksFetches - before).toBe(1);
  });

  it('picks up a rotated key on an unknown kid, at most once per cooldown', async () => {
    const fresh = guard({ jwksCooldownSeconds: 0.3 });
    await fresh.verify(await token());
    const rotated = await makeKey('ES256');
    auth.keys = [rotated, key];
    const before = auth.jwksFetches;
    // Just fetched: the cooldown holds, the new kid is unknown and nothing is fetched.
    const early = await refusal(fresh.verify(await token({}, rotated)));
    expect(early.description).toBe('The access token was signed by an unknown key');
    expect(auth.jwksFetches).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(fresh.verify(await token({}, rotated))).resolves.toBeDefined();
    expect(auth.jwksFetches).toBe(before + 1);
    // A made-up kid right after cannot make it fetch again.
    const ghost = await makeKey('ES256');
    expect((await refusal(fresh.verify(await token({}, ghost)))).code).toBe('invalid_token');
    expect(auth.jwksFetches).toBe(before + 1);
    auth.keys = [key];
  });

  it('answers temporarily_unavailable (503), not invalid_token, when the JWKS cannot be fetched', async () => {
    auth.failWith = 500;
    try {
      const error = await refusal(guard().verify(await token()));
      expect([error.code, error.status]).toEqual(['temporarily_unavailable', 503]);
    } finally {
      auth.failWith = undefined;
    }
  });

  it('uses the fetch it is given', async () => {
    const seen: string[] = [];
    const fetchSpy = (url: string, init: RequestInit) => {
      seen.push(url);
      return fetch(url, init);
    };
    await guard({ fetch: fetchSpy }).verify(await token());
    expect(seen).toEqual([auth.jwksUri]);
  });
});

describe('protectResource: options', () => {
  it.each([
    [{ resource: 'http://mcp.example.com/mcp' }, 'resource must be https'],
    [{ resource: 'https://mcp.example.com/mcp#x' }, 'neither a query nor a fragment'],
    [{ resource: 'https://mcp.example.com/mcp?tenant=1' }, 'neither a query nor a fragment'],
    [{ resource: 'mcp' }, 'resource must be an absolute URL'],
    [{ issuer: 'not a url' }, 'issuer must be an absolute URL'],
    [{ issuer: 'http://auth.example.com' }, 'jwksUri must be https'],
    [{ scopes: ['has space'] }, 'not a valid scope'],
    [{ scopes: ['quote"'] }, 'not a valid scope'],
    [{ clockToleranceSeconds: -1 }, 'non-negative'],
    [{ audience: [] }, 'at least one'],
  ])('refuses %j', (options, message) => {
    expect(() => guard(options)).toThrow(message);
  });

  it('accepts http on loopback for development', () => {
    expect(guard({ resource: 'http://127.0.0.1:3000/mcp' }).metadataUrl).toBe('http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp');
  });
});

describe('verify: tokens Authgate itself issues (src/oauth/token-service.ts)', () => {
  /** Authgate's own key format and signer, with storage stubbed out: only the JWT matters here. */
  async function authgateToken(): Promise<{ jwt: string; jwks: JWK[] }> {
    const pair = generateAuthgateKeyPair('ec');
    const keys = buildKeySet(await signingKeyFromPem(pair.privatePem, pair.publicPem));
    const cache: StateCache = { many: async () => [], put: async () => undefined, forget: async () => false };
    const accessTokens = { create: async () => undefined } as unknown as AccessTokenRepository;
    const service = new TokenService({
      keys,
      issuer: auth.issuer,
      accessTokens,
      refreshTokens: {} as RefreshTokenRepository,
      clients: {} as ClientDirectory,
      users: {} as UserLookup,
      cache,
    });
    const { jwt } = await service.issueAccessToken({ clientId: 'client-9', userId: 5, scopes: ['notes:read'], ttlSeconds: 600 });
    return { jwt, jwks: publicJwks(keys).keys };
  }

  it('verifies their signature, typ and claims, and refuses them until they name the resource', async () => {
    const { jwt, jwks } = await authgateToken();
    const saved = auth.keys;
    auth.keys = jwks.map((jwk) => ({ ...key, kid: String(jwk.kid), jwk }));
    try {
      // Today a token requested without `resource` has the client id as audience (as Passport).
      expect((await refusal(guard().verify(jwt))).description).toBe('The access token was not issued for this resource');
      const info = await guard({ audience: 'client-9' }).verify(jwt);
      expect(info).toMatchObject({ clientId: 'client-9', subject: '5', scopes: ['notes:read'] });
    } finally {
      auth.keys = saved;
    }
  });
});
