import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import { basic, form, jwtPayload } from '../oauth/fixtures.js';
import type { ClientInformation } from './dynamic-registration-helpers.js';
import { LOOPBACK, REDIRECT, REGISTRATION_TOKEN_INVALID, configure, expectInvalidToken, registerClient } from './dynamic-registration-helpers.js';

/** RFC 7592: the client configuration endpoint, reached with the registration access token. */
const databases = testDatabases().map((database) => database.label);

describe.each(databases)('RFC 7592 client configuration on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { OAUTH_DYNAMIC_REGISTRATION: 'open', DYNAMIC_REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(() => t.close());

  it('GET answers the registration as it was registered, with the presented token and without the secret', async () => {
    const registered = await registerClient(t, { client_name: 'Reader', redirect_uris: [REDIRECT], scope: 'users:read', contacts: ['a@b.example'] });
    const res = await configure(t, 'GET', registered.client_id, registered.registration_access_token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { client_secret: secret, ...expected } = registered;
    expect(secret).toBeDefined();
    expect(res.json()).toEqual(expected);
    expect(Object.keys(res.json<object>())).toEqual(Object.keys(expected));
  });

  it('PUT replaces the metadata: fields left out are removed or defaulted; the client and its secret stay', async () => {
    const registered = await registerClient(t, {
      client_name: 'Before',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      client_uri: 'https://before.example',
      scope: 'users:read',
    });
    const res = await configure(t, 'PUT', registered.client_id, registered.registration_access_token, {
      client_id: registered.client_id,
      client_secret: registered.client_secret,
      client_name: 'After',
      redirect_uris: [LOOPBACK],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      client_id: registered.client_id,
      client_id_issued_at: registered.client_id_issued_at,
      client_secret_expires_at: 0,
      registration_access_token: registered.registration_access_token,
      registration_client_uri: registered.registration_client_uri,
      client_name: 'After',
      redirect_uris: [LOOPBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // Left out: kept, not reset to client_secret_basic (RFC 7592 §2.2 lets the server ignore an empty value).
      token_endpoint_auth_method: 'client_secret_post',
    });
    // The grants changed for the token endpoint too, and the secret still authenticates.
    const stored = await t.storage.repositories.clients.findById(registered.client_id);
    expect(stored).toMatchObject({ name: 'After', redirectUris: [LOOPBACK], grantTypes: ['authorization_code', 'refresh_token'] });
    const body = form({ grant_type: 'client_credentials' });
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: basic(registered.client_id, registered.client_secret ?? '') } });
    expectOAuthError(token, { status: 400, error: 'unauthorized_client', hint: 'The client may not use the `client_credentials` grant' });
    const read = await configure(t, 'GET', registered.client_id, registered.registration_access_token);
    expect(read.json()).toEqual(res.json());
  });

  it('PUT refuses a body naming another client, a wrong secret, a change between public and confidential, and invalid metadata', async () => {
    const registered = await registerClient(t, { redirect_uris: [REDIRECT] });
    const put = (body: Record<string, unknown>) => configure(t, 'PUT', registered.client_id, registered.registration_access_token, body);
    const base = { client_id: registered.client_id, redirect_uris: [REDIRECT] };
    const invalid = (description: string) => ({ status: 400, error: 'invalid_client_metadata' as const, description });
    expectOAuthError(await put({ redirect_uris: [REDIRECT] }), invalid('client_id must be the id of the client being updated.'));
    expectOAuthError(await put({ ...base, client_id: 'someone-else' }), invalid('client_id must be the id of the client being updated.'));
    expectOAuthError(await put({ ...base, client_secret: 'wrong' }), invalid("client_secret does not match the client's secret."));
    expectOAuthError(await put({ ...base, token_endpoint_auth_method: 'none' }), invalid('token_endpoint_auth_method cannot change between none and a client secret method: register a new client instead.'));
    expectOAuthError(await put({ ...base, redirect_uris: ['javascript:alert(1)'] }), {
      status: 400,
      error: 'invalid_redirect_uri',
      description: 'redirect_uris[0] is not a valid redirect URI: an absolute URI without a fragment, user information, whitespace or commas; javascript:, data: and file: URIs are refused.',
    });
    const unchanged = await configure(t, 'GET', registered.client_id, registered.registration_access_token);
    expect(unchanged.json<ClientInformation>().redirect_uris).toEqual([REDIRECT]);
  });

  it('DELETE revokes the client and every token issued to it, through the revocation path every node sees', async () => {
    const registered = await registerClient(t, { grant_types: ['client_credentials'] });
    const auth = basic(registered.client_id, registered.client_secret ?? '');
    const body = form({ grant_type: 'client_credentials' });
    const issued = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: auth } });
    const jwt = issued.json<{ access_token: string }>().access_token;
    expect(await t.services.tokens.authenticate(jwt)).toBeDefined();

    const deleted = await configure(t, 'DELETE', registered.client_id, registered.registration_access_token);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(await t.services.tokens.authenticate(jwt)).toBeUndefined();
    expect((await t.storage.repositories.accessTokens.findById(String(jwtPayload(jwt).jti)))?.revoked).toBe(true);
    expect((await t.storage.repositories.clients.findById(registered.client_id))?.revoked).toBe(true);
    // RFC 7592 §2.3: the client id, secret and registration access token are all dead now.
    expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/token', payload: body.payload, headers: { ...body.headers, authorization: auth } }), { status: 401, error: 'invalid_client' });
    expectInvalidToken(await configure(t, 'GET', registered.client_id, registered.registration_access_token), REGISTRATION_TOKEN_INVALID);
    expectInvalidToken(await configure(t, 'DELETE', registered.client_id, registered.registration_access_token), REGISTRATION_TOKEN_INVALID);
  });

  it('answers 401 invalid_token alike for no token, a wrong one, another client’s, an unknown client and a client not registered dynamically', async () => {
    const a = await registerClient(t, { redirect_uris: [REDIRECT] });
    const b = await registerClient(t, { redirect_uris: [REDIRECT] });
    const { client: operatorClient } = await t.services.clients.register({ userId: null, name: 'Made by the CLI', redirectUris: [REDIRECT], confidential: true });
    const cases: [string, string | undefined][] = [
      [a.client_id, undefined],
      [a.client_id, 'wrong'],
      [a.client_id, b.registration_access_token],
      ['6f1c1f3e-0000-4000-8000-000000000000', a.registration_access_token],
      [operatorClient.id, a.registration_access_token],
      // A NUL byte in the path never reaches PostgreSQL.
      ['%00', a.registration_access_token],
    ];
    for (const [clientId, token] of cases) {
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const res = await configure(t, method, clientId, token, method === 'PUT' ? { client_id: clientId, redirect_uris: [REDIRECT] } : undefined);
        expectInvalidToken(res, REGISTRATION_TOKEN_INVALID);
      }
    }
    const basicAuth = await t.app.inject({ url: `/oauth/register/${a.client_id}`, headers: { authorization: basic(a.client_id, a.client_secret ?? '') } });
    expectInvalidToken(basicAuth, REGISTRATION_TOKEN_INVALID);
    expect((await t.storage.repositories.clients.findById(a.client_id))?.revoked).toBe(false);
  });
});
