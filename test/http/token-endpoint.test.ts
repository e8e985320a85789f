import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import type { ClientWithSecret } from '../oauth/fixtures.js';
import { basic, confidentialClient, form, jwtPayload } from '../oauth/fixtures.js';

describe.each(testDatabases())('POST /oauth/token on $label', ({ label }) => {
  let t: TestApp;
  let machine: ClientWithSecret;
  beforeAll(async () => {
    t = await createTestApp({ database: label, env: { TOKEN_RATE_LIMIT: '0' } });
    machine = await confidentialClient(t);
  });
  afterAll(() => t.close());

  const postForm = (params: Record<string, string>, headers: Record<string, string> = {}, url = '/oauth/token') => {
    const body = form(params);
    return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } });
  };

  it('answers the reference request (a bearer placeholder, a JSON content type, no body) exactly', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' },
    });
    expectOAuthError(res, { status: 400, error: 'unsupported_grant_type', hint: 'Check that all required parameters have been provided' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('answers a missing or unknown grant_type with unsupported_grant_type', async () => {
    const bare = await t.app.inject({ method: 'POST', url: '/oauth/token' });
    expectOAuthError(bare, { status: 400, error: 'unsupported_grant_type', hint: 'Check that all required parameters have been provided' });
    for (const grantType of ['implicit', 'personal_access', 'password', '']) {
      const res = await postForm({ grant_type: grantType, client_id: machine.client.id, client_secret: machine.secret });
      expectOAuthError(res, { status: 400, error: 'unsupported_grant_type', hint: 'Check that all required parameters have been provided' });
    }
  });

  it('issues a client credentials token with no-store headers and no refresh token', async () => {
    const res = await postForm({ grant_type: 'client_credentials', scope: 'users:read' }, { authorization: basic(machine.client.id, machine.secret) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(['token_type', 'expires_in', 'access_token']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(jwtPayload(String(body.access_token))).toMatchObject({ sub: machine.client.id, scopes: ['users:read'] });
  });

  it('accepts a JSON body as well as a form', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'client_credentials', client_id: machine.client.id, client_secret: machine.secret },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'Bearer' });
  });

  it('never reads parameters from the query string', async () => {
    const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: machine.client.id, client_secret: machine.secret });
    const res = await t.app.inject({ method: 'POST', url: `/oauth/token?${query.toString()}` });
    expectOAuthError(res, { status: 400, error: 'unsupported_grant_type', hint: 'Check that all required parameters have been provided' });
    const secretInQuery = await postForm({ grant_type: 'client_credentials', client_id: machine.client.id }, {}, `/oauth/token?client_secret=${machine.secret}`);
    expectOAuthError(secretInQuery, { status: 401, error: 'invalid_client' });
  });

  it('sends WWW-Authenticate with invalid_client only when the request carried an Authorization header', async () => {
    const viaHeader = await postForm({ grant_type: 'client_credentials' }, { authorization: basic(machine.client.id, 'wrong') });
    expectOAuthError(viaHeader, { status: 401, error: 'invalid_client' });
    expect(viaHeader.headers['www-authenticate']).toBe('Basic realm="OAuth"');
    const viaBody = await postForm({ grant_type: 'client_credentials', client_id: machine.client.id, client_secret: 'wrong' });
    expectOAuthError(viaBody, { status: 401, error: 'invalid_client' });
    expect(viaBody.headers['www-authenticate']).toBeUndefined();
    const unknown = await postForm({ grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: 'x' });
    expect(unknown.statusCode).toBe(401);
  });

  it('refuses a client authenticating two ways at once', async () => {
    const res = await postForm(
      { grant_type: 'client_credentials', client_id: machine.client.id, client_secret: machine.secret },
      { authorization: basic(machine.client.id, machine.secret) },
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', hint: 'Check the `client_secret` parameter' });
  });

  it('asks for client_id when no client credentials are sent', async () => {
    const res = await postForm({ grant_type: 'client_credentials' });
    expectOAuthError(res, { status: 400, error: 'invalid_request', hint: 'Check the `client_id` parameter' });
  });

  it('refuses a parameter sent twice (RFC 6749 §3.1)', async () => {
    const payload = `grant_type=client_credentials&client_id=${machine.client.id}&client_secret=${machine.secret}&scope=users:read&scope=users:write`;
    const res = await t.app.inject({ method: 'POST', url: '/oauth/token', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `scope` parameter' });
  });

  it('answers malformed bodies with a 4xx, never a 500', async () => {
    const badJson = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: '{"grant_type":', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    const array = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: '["client_credentials"]', headers: { 'content-type': 'application/json' } });
    expect(array.statusCode).toBe(400);
    expect(array.json()).toMatchObject({ error: 'invalid_request' });
    const nested = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: { nested: true } } });
    expect(nested.statusCode).toBe(400);
    expect(nested.json()).toMatchObject({ error: 'invalid_request', hint: 'Check the `grant_type` parameter' });
    const text = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: 'grant_type=x', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ error: 'invalid_request', hint: 'The request body must be a form or a JSON object' });
  });
});
