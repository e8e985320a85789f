import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { expectOAuthError } from '../helpers/oauth-error.js';
import { testDatabases } from '../helpers/services.js';
import { REDIRECT, postRegistration } from './dynamic-registration-helpers.js';

/** RFC 7591 §3.2.2: every refused registration, with its exact answer; nothing is stored. */
const databases = testDatabases().map((database) => database.label);

const BAD_URI =
  'is not a valid redirect URI: an absolute URI without a fragment, user information, whitespace or commas; javascript:, data: and file: URIs are refused.';
const GRANTS = 'authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code';

/** [what, body (or raw JSON text), description] */
const INVALID_REDIRECT_URIS: [string, unknown, string][] = [
  ['no redirect_uris for the code grant', { client_name: 'x' }, 'redirect_uris is required for the authorization_code grant.'],
  ['an empty list for the code grant', { redirect_uris: [] }, 'redirect_uris is required for the authorization_code grant.'],
  ['a string instead of a list', { redirect_uris: REDIRECT }, 'redirect_uris must be an array of strings.'],
  ['a number in the list', { redirect_uris: [42] }, 'redirect_uris must be an array of strings.'],
  ['a fragment', { redirect_uris: ['https://app.example/cb#x'] }, `redirect_uris[0] ${BAD_URI}`],
  ['user information', { redirect_uris: ['https://app.example@evil.example/cb'] }, `redirect_uris[0] ${BAD_URI}`],
  ['javascript:', { redirect_uris: ['javascript:alert(1)'] }, `redirect_uris[0] ${BAD_URI}`],
  ['a relative URI', { redirect_uris: ['/callback'] }, `redirect_uris[0] ${BAD_URI}`],
  ['a comma (Passport keeps the list comma-separated)', { redirect_uris: ['https://app.example/a,b'] }, `redirect_uris[0] ${BAD_URI}`],
  ['a NUL byte', { redirect_uris: ['https://app.example/\u0000'] }, `redirect_uris[0] ${BAD_URI}`],
  ['data: second in the list', { redirect_uris: [REDIRECT, 'data:text/html,hi'] }, `redirect_uris[1] ${BAD_URI}`],
  ['an over-long URI', { redirect_uris: [`https://app.example/${'a'.repeat(2030)}`] }, 'redirect_uris[0] must not be longer than 2048 characters.'],
  ['21 URIs', { redirect_uris: Array.from({ length: 21 }, (_, i) => `https://app.example/${i}`) }, 'redirect_uris must not list more than 20 URIs.'],
];

const ok = { redirect_uris: [REDIRECT] };

const INVALID_METADATA: [string, unknown, string][] = [
  ['a JSON array', '[]', 'The request body must be a JSON object of client metadata.'],
  ['JSON null', 'null', 'The request body must be a JSON object of client metadata.'],
  ['an empty body', '', 'The request body must be a JSON object of client metadata.'],
  ['malformed JSON', '{"redirect_uris": [', 'The request body is not valid JSON.'],
  ['private_key_jwt', { ...ok, token_endpoint_auth_method: 'private_key_jwt' }, 'token_endpoint_auth_method private_key_jwt is not supported: use none, client_secret_basic or client_secret_post.'],
  ['an unknown auth method', { ...ok, token_endpoint_auth_method: 'magic' }, 'token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.'],
  ['jwks', { ...ok, jwks: { keys: [] } }, 'jwks is not supported: clients authenticate with a client secret or as public clients.'],
  ['jwks_uri', { ...ok, jwks_uri: 'https://app.example/jwks' }, 'jwks_uri is not supported: clients authenticate with a client secret or as public clients.'],
  ['grant_types as a string', { ...ok, grant_types: 'authorization_code' }, 'grant_types must be an array of strings.'],
  ['no grant types', { ...ok, grant_types: [] }, 'grant_types must not be empty.'],
  ['the password grant', { ...ok, grant_types: ['password'] }, `The grant type password is not supported for registered clients; supported: ${GRANTS}.`],
  ['the implicit grant', { ...ok, grant_types: ['implicit'] }, `The grant type implicit is not supported for registered clients; supported: ${GRANTS}.`],
  ['an unprintable grant type', { ...ok, grant_types: ['authorization_code', 'a b'] }, `grant_types[1] is not supported for registered clients; supported: ${GRANTS}.`],
  ['response type token', { ...ok, response_types: ['token'] }, 'response_types may only contain code.'],
  ['code without the code grant', { grant_types: ['client_credentials'], response_types: ['code'] }, 'The code response type needs the authorization_code grant in grant_types.'],
  ['the code grant without code', { ...ok, response_types: [] }, 'The authorization_code grant needs the code response type in response_types.'],
  ['scope *', { ...ok, scope: 'users:read *' }, 'scope must not contain *: a registered client asks for declared scopes only.'],
  ['an undeclared scope', { ...ok, scope: 'users:read users:delete' }, 'scope names an undeclared scope: users:delete.'],
  ['scope as a list', { ...ok, scope: ['users:read'] }, 'scope must be a string.'],
  ['an http client_uri', { ...ok, client_uri: 'http://app.example' }, 'client_uri must be an https URL.'],
  ['a javascript: logo_uri', { ...ok, logo_uri: 'javascript:alert(1)' }, 'logo_uri must be an https URL.'],
  ['user information in tos_uri', { ...ok, tos_uri: 'https://user@app.example/tos' }, 'tos_uri must be an https URL.'],
  ['an over-long policy_uri', { ...ok, policy_uri: `https://app.example/${'p'.repeat(2030)}` }, 'policy_uri must not be longer than 2048 characters.'],
  ['client_name as a number', { ...ok, client_name: 42 }, 'client_name must be a string.'],
  ['a 192-character name', { ...ok, client_name: 'n'.repeat(192) }, 'client_name must not be longer than 191 characters.'],
  ['a NUL byte in the name', { ...ok, client_name: 'Evil\u0000App' }, 'client_name must not contain control characters.'],
  ['a right-to-left override in the name', { ...ok, client_name: 'Good\u202eppA' }, 'client_name must not contain control characters.'],
  ['a lone surrogate in the name', `{"redirect_uris":["${REDIRECT}"],"client_name":"\\ud800"}`, 'client_name must not contain control characters.'],
  ['contacts as a string', { ...ok, contacts: 'ops@app.example' }, 'contacts must be an array of strings.'],
  ['a newline in a contact', { ...ok, contacts: ['ops@app.example', 'x\ny'] }, 'contacts[1] must not contain control characters.'],
  ['software_id as an object', { ...ok, software_id: {} }, 'software_id must be a string.'],
];

describe.each(databases)('registration metadata refused on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { OAUTH_DYNAMIC_REGISTRATION: 'open', DYNAMIC_REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    // Not one refused request stored a client.
    expect(await t.services.clients.listAll()).toEqual([]);
    await t.close();
  });

  it.each(INVALID_REDIRECT_URIS)('invalid_redirect_uri: %s', async (_what, body, description) => {
    expectOAuthError(await postRegistration(t, body), { status: 400, error: 'invalid_redirect_uri', description });
  });

  it.each(INVALID_METADATA)('invalid_client_metadata: %s', async (_what, body, description) => {
    expectOAuthError(await postRegistration(t, body), { status: 400, error: 'invalid_client_metadata', description });
  });

  it('refuses a form body and a body of another type: the metadata is JSON (RFC 7591 §3.1)', async () => {
    const expected = { status: 400, error: 'invalid_client_metadata' as const, description: 'The request body must be JSON (Content-Type: application/json).' };
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const res = await t.app.inject({ method: 'POST', url: '/oauth/register', headers: { 'content-type': contentType }, payload: `redirect_uris=${REDIRECT}` });
      expectOAuthError(res, expected);
    }
    expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/register' }), expected);
  });

  it('refuses a body over 64 KiB without reading it into a client', async () => {
    const res = await postRegistration(t, { ...ok, software_version: 'v'.repeat(70_000) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ message: 'The request body is too large.', status: 413 });
  });
});
