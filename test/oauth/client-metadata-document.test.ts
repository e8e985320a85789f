import { describe, expect, it } from 'vitest';
import { CLIENT_METADATA_CACHE_BOUNDS, clientMetadataCacheSeconds } from '../../src/oauth/client-metadata-cache-policy.js';
import type { ClientMetadataOptions } from '../../src/oauth/client-metadata-document.js';
import { checkClientIdUrl, isClientIdMetadataUrl, validateClientMetadataDocument } from '../../src/oauth/client-metadata-document.js';

const CLIENT_ID = 'https://app.example.com/oauth/client.json';

function doc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { client_id: CLIENT_ID, client_name: 'Example App', redirect_uris: ['https://app.example.com/callback'], ...overrides };
}

function errorCode(document: unknown, options: ClientMetadataOptions = {}, clientId = CLIENT_ID): string | undefined {
  const result = validateClientMetadataDocument(clientId, document, options);
  return result.ok ? undefined : result.error.code;
}

describe('checkClientIdUrl (CIMD draft, "Client Identifier URL")', () => {
  it('accepts an https URL with a path, a port or a query', () => {
    for (const url of [CLIENT_ID, 'https://app.example.com:8443/client', 'https://app.example.com/client?v=2']) {
      expect(checkClientIdUrl(url).ok).toBe(true);
    }
  });

  it.each([
    ['http://app.example.com/client', 'must use https'],
    ['https://app.example.com', 'must have a path'],
    ['https://app.example.com/', 'must have a path'],
    ['https://app.example.com/client#frag', 'fragment'],
    ['https://user@app.example.com/client', 'user information'],
    ['https://user:pw@app.example.com/client', 'user information'],
    ['https://app.example.com/a/../client', '. or ..'],
    ['https://app.example.com/./client', '. or ..'],
    ['https://app.example.com/a/%2e%2E/client', '. or ..'],
    ['https://APP.example.com/client', 'canonical'],
    ['https://app.example.com:443/client', 'canonical'],
    ['https://app.example.com/a client', 'canonical'],
    ['not a url', 'absolute URL'],
    [`https://app.example.com/${'a'.repeat(2000)}`, 'at most'],
  ])('refuses %s', (url, message) => {
    const result = checkClientIdUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_client_id_url');
      expect(result.error.message).toContain(message);
    }
  });

  it('accepts http on a loopback host only in private mode', () => {
    expect(checkClientIdUrl('http://127.0.0.1:4567/client.json').ok).toBe(false);
    expect(checkClientIdUrl('http://127.0.0.1:4567/client.json', { allowHttpLoopback: true }).ok).toBe(true);
    expect(checkClientIdUrl('http://[::1]:4567/client.json', { allowHttpLoopback: true }).ok).toBe(true);
    expect(checkClientIdUrl('http://localhost:4567/client.json', { allowHttpLoopback: true }).ok).toBe(true);
    expect(checkClientIdUrl('http://app.example.com/client.json', { allowHttpLoopback: true }).ok).toBe(false);
  });

  it('tells a metadata URL from an id Authgate issued', () => {
    expect(isClientIdMetadataUrl(CLIENT_ID)).toBe(true);
    expect(isClientIdMetadataUrl('9c5b6d1e-0000-4000-8000-000000000000')).toBe(false);
    expect(isClientIdMetadataUrl('3')).toBe(false);
    expect(isClientIdMetadataUrl('http://127.0.0.1/c')).toBe(false);
    expect(isClientIdMetadataUrl('http://127.0.0.1/c', { allowHttpLoopback: true })).toBe(true);
  });
});

describe('validateClientMetadataDocument', () => {
  it('returns the client record for a minimal document', () => {
    expect(validateClientMetadataDocument(CLIENT_ID, doc())).toEqual({
      ok: true,
      client: {
        clientId: CLIENT_ID,
        name: 'Example App',
        redirectUris: ['https://app.example.com/callback'],
        logoUri: null,
        clientUri: null,
        tokenEndpointAuthMethod: 'none',
        jwksUri: null,
        grantTypes: ['authorization_code'],
      },
    });
  });

  it('reads the optional fields', () => {
    const result = validateClientMetadataDocument(
      CLIENT_ID,
      doc({
        logo_uri: 'https://app.example.com/logo.png',
        client_uri: 'https://app.example.com/',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://app.example.com/callback', 'http://127.0.0.1/callback', 'com.example.app:/oauth'],
        scope: 'notes:read',
        software_id: 'example',
      }),
    );
    expect(result.ok && result.client).toMatchObject({
      logoUri: 'https://app.example.com/logo.png',
      clientUri: 'https://app.example.com/',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1/callback', 'com.example.app:/oauth'],
    });
  });

  it('names a client without client_name after its host', () => {
    const { client_name: _name, ...rest } = doc();
    const result = validateClientMetadataDocument(CLIENT_ID, rest);
    expect(result.ok && result.client.name).toBe('app.example.com');
  });

  it('refuses a document whose client_id is not exactly the URL it came from', () => {
    expect(errorCode(doc({ client_id: 'https://app.example.com/oauth/client.json/' }))).toBe('client_id_mismatch');
    expect(errorCode(doc({ client_id: 'https://APP.example.com/oauth/client.json' }))).toBe('client_id_mismatch');
    expect(errorCode(doc({ client_id: 'https://evil.example/oauth/client.json' }))).toBe('client_id_mismatch');
    const { client_id: _id, ...rest } = doc();
    expect(errorCode(rest)).toBe('client_id_mismatch');
  });

  it('refuses the URL itself when it breaks the client identifier rules', () => {
    expect(errorCode(doc({ client_id: 'https://app.example.com/' }), {}, 'https://app.example.com/')).toBe('invalid_client_id_url');
  });

  it('refuses what is not a JSON object', () => {
    for (const value of [null, [], 'text', 42]) expect(errorCode(value)).toBe('invalid_document');
  });

  it.each([
    [{ client_secret: 'shh' }],
    [{ client_secret_expires_at: 0 }],
    [{ token_endpoint_auth_method: 'client_secret_basic' }],
    [{ token_endpoint_auth_method: 'client_secret_post' }],
    [{ token_endpoint_auth_method: 'client_secret_jwt' }],
    [{ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private' }] } }],
    [{ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }],
    [{ jwks: 'not a set' }],
  ])('refuses the forbidden field in %j', (fields) => {
    expect(errorCode(doc(fields))).toBe('forbidden_field');
  });

  it('accepts public keys in jwks', () => {
    expect(errorCode(doc({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }))).toBeUndefined();
  });

  it.each([
    [{ client_name: '' }, 'invalid_client_name'],
    [{ client_name: '   ' }, 'invalid_client_name'],
    [{ client_name: 42 }, 'invalid_client_name'],
    [{ client_name: 'a'.repeat(201) }, 'invalid_client_name'],
    [{ client_name: 'Evil\u0000App' }, 'invalid_client_name'],
    [{ redirect_uris: [] }, 'invalid_redirect_uris'],
    [{ redirect_uris: undefined }, 'invalid_redirect_uris'],
    [{ redirect_uris: 'https://app.example.com/callback' }, 'invalid_redirect_uris'],
    [{ redirect_uris: ['https://app.example.com/cb#frag'] }, 'invalid_redirect_uris'],
    [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uris'],
    [{ redirect_uris: ['https://good.example@evil.example/cb'] }, 'invalid_redirect_uris'],
    [{ redirect_uris: ['/relative'] }, 'invalid_redirect_uris'],
    [{ redirect_uris: [42] }, 'invalid_redirect_uris'],
    [{ logo_uri: 'http://app.example.com/logo.png' }, 'invalid_uri'],
    [{ logo_uri: 'javascript:alert(1)' }, 'invalid_uri'],
    [{ client_uri: 'https://u:p@app.example.com/' }, 'invalid_uri'],
    [{ client_uri: 42 }, 'invalid_uri'],
    [{ token_endpoint_auth_method: 'tls_client_auth' }, 'unsupported_auth_method'],
    [{ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks' }, 'unsupported_auth_method'],
    [{ grant_types: ['client_credentials'] }, 'invalid_grant_types'],
    [{ grant_types: ['authorization_code', 'password'] }, 'invalid_grant_types'],
    [{ grant_types: [] }, 'invalid_grant_types'],
    [{ response_types: ['token'] }, 'invalid_response_types'],
    [{ response_types: ['code', 'id_token'] }, 'invalid_response_types'],
  ])('refuses %j with %s', (fields, code) => {
    expect(errorCode(doc(fields))).toBe(code);
  });

  it('accepts private_key_jwt with a jwks_uri only when enabled', () => {
    const fields = { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks' };
    const result = validateClientMetadataDocument(CLIENT_ID, doc(fields), { allowPrivateKeyJwt: true });
    expect(result.ok && [result.client.tokenEndpointAuthMethod, result.client.jwksUri]).toEqual(['private_key_jwt', 'https://app.example.com/jwks']);
    expect(errorCode(doc({ token_endpoint_auth_method: 'private_key_jwt' }), { allowPrivateKeyJwt: true })).toBe('invalid_uri');
  });

  it('accepts an http loopback document only in private mode', () => {
    const url = 'http://127.0.0.1:4567/client.json';
    const local = doc({ client_id: url, redirect_uris: ['http://127.0.0.1:4568/callback'] });
    expect(errorCode(local, {}, url)).toBe('invalid_client_id_url');
    expect(errorCode(local, { allowHttpLoopback: true }, url)).toBeUndefined();
  });
});

describe('clientMetadataCacheSeconds', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const { minSeconds, maxSeconds } = CLIENT_METADATA_CACHE_BOUNDS;

  it('is bounded to [5 minutes, 24 hours]', () => {
    expect([minSeconds, maxSeconds]).toEqual([300, 86400]);
  });

  it.each([
    [{}, 300],
    [{ 'cache-control': 'max-age=3600' }, 3600],
    [{ 'Cache-Control': 'public, max-age=7200' }, 7200],
    [{ 'cache-control': 'max-age=60' }, 300],
    [{ 'cache-control': 'max-age=604800' }, 86400],
    [{ 'cache-control': 'max-age=0' }, 300],
    [{ 'cache-control': 'no-store' }, 300],
    [{ 'cache-control': 'no-cache, max-age=3600' }, 300],
    [{ 'cache-control': 'max-age=3600, s-maxage=1800' }, 1800],
    [{ 'cache-control': 'max-age="1200"' }, 1200],
    [{ 'cache-control': 'max-age=abc' }, 300],
    [{ 'cache-control': 'max-age=3600', age: '600' }, 3000],
    [{ 'cache-control': 'max-age=3600', age: '3500' }, 300],
    [{ expires: 'Thu, 01 Jan 2026 02:00:00 GMT' }, 7200],
    [{ expires: 'Thu, 01 Jan 2026 02:00:00 GMT', date: 'Thu, 01 Jan 2026 01:00:00 GMT' }, 3600],
    [{ expires: 'Fri, 01 Jan 2027 00:00:00 GMT' }, 86400],
    [{ expires: 'Wed, 31 Dec 2025 00:00:00 GMT' }, 300],
    [{ expires: '0' }, 300],
    [{ expires: 'Thu, 01 Jan 2026 10:00:00 GMT', 'cache-control': 'max-age=900' }, 900],
    [{ 'cache-control': ['max-age=1000', 'public'] }, 1000],
  ])('%j → %i seconds', (headers, seconds) => {
    expect(clientMetadataCacheSeconds(headers, now)).toBe(seconds);
  });
});
