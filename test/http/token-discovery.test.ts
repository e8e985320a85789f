import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';

const BASE = 'https://auth.example.com';

/** The endpoints other modules provide are listed only when their routes exist. */
function expectedMetadata(t: TestApp, options: { password: boolean; implicit: boolean }) {
  const authorize = t.app.hasRoute({ method: 'GET', url: '/oauth/authorize' });
  const userinfo = t.app.hasRoute({ method: 'GET', url: '/oauth/userinfo' });
  const device = t.app.hasRoute({ method: 'POST', url: '/oauth/device/code' });
  const implicit = authorize && options.implicit;
  return {
    issuer: BASE,
    ...(authorize ? { authorization_endpoint: `${BASE}/oauth/authorize` } : {}),
    token_endpoint: `${BASE}/oauth/token`,
    jwks_uri: `${BASE}/oauth/jwks`,
    revocation_endpoint: `${BASE}/oauth/revoke`,
    introspection_endpoint: `${BASE}/oauth/introspect`,
    ...(userinfo ? { userinfo_endpoint: `${BASE}/oauth/userinfo` } : {}),
    ...(device ? { device_authorization_endpoint: `${BASE}/oauth/device/code` } : {}),
    scopes_supported: ['users:read', 'users:write', 'openid', 'profile', 'email'],
    response_types_supported: authorize ? ['code', ...(implicit ? ['token'] : [])] : [],
    response_modes_supported: authorize ? ['query', ...(implicit ? ['fragment'] : [])] : [],
    grant_types_supported: [
      ...(authorize ? ['authorization_code'] : []),
      'refresh_token',
      'client_credentials',
      ...(options.password ? ['password'] : []),
      ...(device ? ['urn:ietf:params:oauth:grant-type:device_code'] : []),
      ...(implicit ? ['implicit'] : []),
    ],
    // Issue 6 defect 12: `plain` is accepted but never advertised.
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: true,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'name', 'updated_at', 'email', 'email_verified'],
  };
}

describe('discovery', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: BASE } });
  });
  afterAll(() => t.close());

  it('serves RFC 8414 authorization server metadata', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(expectedMetadata(t, { password: false, implicit: false }));
  });

  it('serves the same document as the OpenID configuration', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(expectedMetadata(t, { password: false, implicit: false }));
  });

  it('serves every public key with its kid, and never a private part', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/oauth/jwks' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json<{ keys: Record<string, string>[] }>();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({ ...t.services.keys.active.jwk, kid: t.services.keys.active.kid });
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('discovery with the password and implicit grants on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: BASE, OAUTH_PASSWORD_GRANT: 'true', OAUTH_IMPLICIT_GRANT: 'true' } });
  });
  afterAll(() => t.close());

  it('lists them', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(res.json()).toEqual(expectedMetadata(t, { password: true, implicit: true }));
    expect(res.json<{ grant_types_supported: string[] }>().grant_types_supported).toContain('password');
  });
});
