import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostmanCollection } from '../../src/http/docs/collection.js';
import type { OpenApiDocument, Operation } from '../../src/http/docs/document.js';
import { operationsByTag } from '../../src/http/docs/document.js';
import { mediaExample } from '../../src/http/docs/examples.js';
import { exampleUrl, formFields, requestExample } from '../../src/http/docs/request-example.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { bearerUser } from '../helpers/bearer-user.js';
import { POSTGRES_URL } from '../helpers/services.js';

const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

/** Every route of the two references (`{tags?}` is documented as the path with and without it). */
const REFERENCE_ROUTES: [string, string][] = [
  ['GET', '/oauth/authorize'],
  ['POST', '/oauth/authorize'],
  ['DELETE', '/oauth/authorize'],
  ['POST', '/oauth/token'],
  ['GET', '/oauth/tokens'],
  ['DELETE', '/oauth/tokens/{token_id}'],
  ['POST', '/oauth/token/refresh'],
  ['GET', '/oauth/clients'],
  ['POST', '/oauth/clients'],
  ['PUT', '/oauth/clients/{client_id}'],
  ['DELETE', '/oauth/clients/{client_id}'],
  ['GET', '/oauth/scopes'],
  ['GET', '/oauth/personal-access-tokens'],
  ['POST', '/oauth/personal-access-tokens'],
  ['DELETE', '/oauth/personal-access-tokens/{token_id}'],
  ['POST', '/api/v1/user/store'],
  ['POST', '/api/login'],
  ['POST', '/api/users'],
  ['GET', '/api/users'],
];
const DEBUGBAR_ROUTES: [string, string][] = [
  ['DELETE', '/_debugbar/cache/{key}/{tags}'],
  ['DELETE', '/_debugbar/cache/{key}'],
];

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function operationsOf(document: OpenApiDocument): Operation[] {
  return [...operationsByTag(document).values()].flat();
}

function routeKeys(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

async function fetchJson<T>(t: TestApp, url: string): Promise<T> {
  const res = await t.app.inject({ url });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return res.json<T>();
}

describe('GET /docs/openapi.json', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_DEBUG: 'true', APP_NAME: 'Gatekeeper', APP_URL: 'https://auth.example.com' } });
    document = await fetchJson<OpenApiDocument>(t, '/docs/openapi.json');
  });
  afterAll(() => t.close());

  it('is an OpenAPI 3.1 document named after the app, served from APP_URL', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Gatekeeper API', version: packageVersion });
    expect(document.servers).toEqual([{ url: 'https://auth.example.com' }]);
  });

  it('declares the bearer token and the session cookie as security schemes', () => {
    const schemes = document.components?.securitySchemes ?? {};
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(schemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'authgate_session' });
    expect(schemes.apiCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'laravel_token' });
  });

  it('lists every route of both references with its methods', () => {
    const keys = routeKeys(document);
    for (const [method, path] of [...REFERENCE_ROUTES, ...DEBUGBAR_ROUTES]) expect(keys).toContain(`${method} ${path}`);
    expect(Object.keys(document.paths['/oauth/clients/{client_id}'] ?? {}).sort()).toEqual(['delete', 'put']);
    expect(Object.keys(document.paths['/api/users'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(document.paths['/oauth/authorize'] ?? {}).sort()).toEqual(['delete', 'get', 'post']);
  });

  it('leaves out the docs routes, HEAD routes and hidden pages', () => {
    const keys = routeKeys(document);
    expect(keys.filter((key) => key.includes('/docs'))).toEqual([]);
    expect(keys.filter((key) => key.startsWith('HEAD '))).toEqual([]);
    expect(keys).not.toContain('GET /');
  });

  it('gives every operation a summary, a known tag, a unique operationId, a success answer and its path parameters', () => {
    const ids = new Set<string>();
    const tags = new Set((document.tags ?? []).map((tag) => tag.name));
    for (const { method, path, operation } of operationsOf(document)) {
      const where = `${method} ${path}`;
      expect(operation.summary, where).toBeTruthy();
      expect(tags.has(operation.tags?.[0] ?? ''), where).toBe(true);
      expect(operation.operationId, where).toBeTruthy();
      expect(ids.has(operation.operationId ?? ''), where).toBe(false);
      ids.add(operation.operationId ?? '');
      expect(Object.keys(operation.responses).some((status) => /^[23]\d\d$/.test(status)), where).toBe(true);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
      expect(declared.sort(), where).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort());
      expect(path, where).not.toMatch(/[?:]/);
    }
  });

  it('documents request schemas, scopes and answers from the route schemas', () => {
    const register = document.paths['/api/users']?.post;
    const body = register?.requestBody?.content['application/json']?.schema;
    expect(body?.required).toEqual(['name', 'email', 'password']);
    expect(body?.properties?.email).toMatchObject({ type: 'string', format: 'email', maxLength: 191 });
    expect(register?.responses['201']?.content?.['application/json']?.schema?.properties).toHaveProperty('email_verified_at');
    const search = document.paths['/api/users']?.get;
    expect(search?.parameters?.find((parameter) => parameter.name === 'name')).toMatchObject({ in: 'query', required: true });
    expect(search?.security).toEqual([{ bearerAuth: ['users:read'] }, { apiCookie: [], csrfHeader: [] }]);
    expect(document.paths['/oauth/token']?.post?.requestBody?.content).toHaveProperty(['application/x-www-form-urlencoded']);
    expect(document.paths['/oauth/token']?.post?.responses['400']?.content?.['application/json']?.example).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server.',
      hint: 'Check that all required parameters have been provided',
      message: 'The authorization grant type is not supported by the authorization server.',
    });
    expect(document.paths['/oauth/clients']?.post?.responses['419']?.content?.['application/json']?.example).toEqual({ message: 'CSRF token mismatch.', status: 419 });
  });

  it('documents the token endpoint from the grant registry: every enabled grant, its parameters and response fields', async () => {
    const token = document.paths['/oauth/token']?.post;
    const schema = token?.requestBody?.content['application/x-www-form-urlencoded']?.schema;
    const enabled = t.services.tokens.grants.map((grant) => grant.grantType);
    expect(enabled).toEqual(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);
    for (const grant of t.services.tokens.grants) {
      expect(token?.description).toContain(`\`${grant.grantType}\`: ${grant.summary}`);
      for (const parameter of Object.keys(grant.parameters)) expect(schema?.properties).toHaveProperty([parameter]);
    }
    expect(schema?.properties).toHaveProperty(['device_code']);
    // The password grant is off: neither its parameters nor its name are documented.
    expect(schema?.properties).not.toHaveProperty(['username']);
    expect(token?.description).not.toContain('`password`');
    expect(Object.keys(token?.responses['200']?.content?.['application/json']?.schema?.properties ?? {})).toEqual([
      'token_type', 'expires_in', 'access_token', 'refresh_token', 'id_token',
    ]);
    const discovery = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json<{ grant_types_supported: string[] }>();
    expect(discovery.grant_types_supported).toEqual(enabled);
  });

  it('is built once and served the same each time', async () => {
    const first = await t.app.inject({ url: '/docs/openapi.json' });
    const second = await t.app.inject({ url: '/docs/openapi.json' });
    expect(second.body).toBe(first.body);
  });
});

describe('the documents without APP_DEBUG', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('leave out the debugbar route, which does not exist then', async () => {
    const document = await fetchJson<OpenApiDocument>(t, '/docs/openapi.json');
    expect(routeKeys(document).filter((key) => key.includes('_debugbar'))).toEqual([]);
    for (const [method, path] of REFERENCE_ROUTES) expect(routeKeys(document)).toContain(`${method} ${path}`);
    expect((document.tags ?? []).map((tag) => tag.name)).not.toContain('Debug');
    const collection = await fetchJson<PostmanCollection>(t, '/docs/collection.json');
    expect(JSON.stringify(collection)).not.toContain('_debugbar');
  });
});

interface PostmanItem {
  name: string;
  request: {
    method: string;
    header: { key: string; value: string }[];
    url: { raw: string; path: string[]; variable?: { key: string; value: string }[]; query?: { key: string; value: string; disabled?: boolean }[] };
    body?: { mode: string; raw?: string; urlencoded?: { key: string; value: string }[] };
    auth?: { type: string };
  };
  response: { code: number; body: string }[];
}

describe('GET /docs/collection.json', () => {
  let t: TestApp;
  let collection: PostmanCollection;
  let items: PostmanItem[];
  const find = (method: string, raw: string) => items.find((item) => item.request.method === method && item.request.url.raw === `{{baseUrl}}${raw}`);
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_DEBUG: 'true' } });
    collection = await fetchJson<PostmanCollection>(t, '/docs/collection.json');
    items = collection.item.flatMap((folder) => folder.item as PostmanItem[]);
  });
  afterAll(() => t.close());

  it('is a Postman v2.1 collection with {{baseUrl}} and a bearer {{token}}', () => {
    expect(collection.info).toMatchObject({ name: 'Authgate API', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' });
    expect(collection.variable).toContainEqual({ key: 'baseUrl', value: 'http://localhost:8000', type: 'string' });
    expect(collection.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] });
  });

  it('has one item per operation, in folders by tag', async () => {
    const document = await fetchJson<OpenApiDocument>(t, '/docs/openapi.json');
    const groups = operationsByTag(document);
    expect(collection.item.map((folder) => folder.name)).toEqual([...groups.keys()]);
    expect(collection.item.map((folder) => folder.item.length)).toEqual([...groups.values()].map((operations) => operations.length));
    const keys = items.map((item) => `${item.request.method} /${item.request.url.path.join('/')}`);
    for (const [method, path] of [...REFERENCE_ROUTES, ...DEBUGBAR_ROUTES]) expect(keys).toContain(`${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  });

  it('carries example bodies generated from the request schemas', () => {
    const register = find('POST', '/api/users');
    expect(register?.request.auth).toEqual({ type: 'noauth' });
    expect(register?.request.header).toContainEqual({ key: 'Content-Type', value: 'application/json' });
    expect(JSON.parse(register?.request.body?.raw ?? '{}')).toEqual({
      name: 'Jane Doe',
      email: 'user@example.com',
      password: 'correct-horse-battery-staple',
      password_confirmation: 'correct-horse-battery-staple',
    });
    expect(JSON.parse(find('POST', '/oauth/clients')?.request.body?.raw ?? '{}')).toEqual({ name: 'My application', redirect: 'https://app.example.com/callback', confidential: true });
    expect(JSON.parse(find('POST', '/api/login')?.request.body?.raw ?? '{}')).toMatchObject({ email: 'user@example.com', password: 'correct-horse-battery-staple' });
    expect(find('POST', '/oauth/token')?.request.body?.urlencoded).toContainEqual({ key: 'grant_type', value: 'client_credentials', type: 'text' });
  });

  it('names path variables and query parameters, and keeps saved example answers', () => {
    const update = find('PUT', '/oauth/clients/:client_id');
    expect(update?.request.url.variable?.map((variable) => variable.key)).toEqual(['client_id']);
    expect(update?.request.auth).toBeUndefined();
    const search = find('GET', '/api/users?name=Jane+Doe');
    expect(search?.request.url.query).toContainEqual({ key: 'name', value: 'Jane Doe', description: "A part of the user's name (any case)." });
    expect(search?.request.url.query?.find((query) => query.key === 'per_page')?.disabled).toBe(true);
    const responses = find('GET', '/oauth/tokens')?.response ?? [];
    expect(responses.find((response) => response.code === 401)?.body).toBe(JSON.stringify({ message: 'Unauthenticated.', status: 401 }, null, 2));
  });
});

describe.each(databases)('the documented examples hold (%s)', (database) => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp({ database, env: { APP_DEBUG: 'true' } });
    document = await fetchJson<OpenApiDocument>(t, '/docs/openapi.json');
  });
  afterAll(() => t.close());

  /** The operation's example request, sent as the docs show it, with `headers` added. */
  async function send(method: string, path: string, headers: Record<string, string> = {}, overrides: { body?: unknown } = {}) {
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not documented`);
    const example = requestExample({ method, path, tag: '', operation });
    const body = 'body' in overrides ? overrides.body : example.body?.value;
    const form = example.body?.form === true;
    return t.app.inject({
      method: method as 'GET',
      url: exampleUrl(example),
      headers: { accept: 'application/json', ...(example.body ? { 'content-type': example.body.contentType } : {}), ...headers },
      ...(example.body ? { payload: form ? new URLSearchParams(formFields(body)).toString() : JSON.stringify(body) } : {}),
    });
  }

  function documented(method: string, path: string, status: number): unknown {
    const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    const media = response?.content?.['application/json'];
    return media ? mediaExample(media) : undefined;
  }

  it('answers every operation without credentials with its documented 419 or 401', async () => {
    let checked = 0;
    for (const { method, path, operation } of operationsOf(document)) {
      const status = operation.responses['419'] ? 419 : operation.responses['401'] ? 401 : undefined;
      const expected = status === undefined ? undefined : documented(method, path, status);
      // The OAuth endpoints answer a missing client with other errors first (the grant type, the token).
      if (status === undefined || !(typeof expected === 'object' && expected !== null && 'status' in expected)) continue;
      const res = await send(method, path);
      expect({ route: `${method} ${path}`, status: res.statusCode, body: res.json<unknown>() }).toEqual({ route: `${method} ${path}`, status, body: expected });
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('registers a user with the example body of POST /api/users, answering as documented', async () => {
    const res = await send('POST', '/api/users', {}, { body: { ...(requestBodyOf('POST', '/api/users') as object), email: `docs-${database}@example.com` } });
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json<object>())).toEqual(Object.keys(documented('POST', '/api/users', 201) as object));
  });

  it('creates a client with the example body of POST /oauth/clients, answering as documented', async () => {
    const user = await bearerUser(t);
    const res = await send('POST', '/oauth/clients', user.headers);
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json<object>())).toEqual(Object.keys(documented('POST', '/oauth/clients', 201) as object));
    const empty = await send('POST', '/oauth/clients', user.headers, { body: {} });
    expect(empty.json()).toEqual(documented('POST', '/oauth/clients', 422));
  });

  it('answers the documented 422 of GET /api/users and the documented list of GET /oauth/scopes', async () => {
    const reader = await bearerUser(t, { scopes: ['users:read'] });
    const res = await t.app.inject({ url: '/api/users', headers: reader.headers });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual(documented('GET', '/api/users', 422));
    const admin = await bearerUser(t);
    const scopes = await send('GET', '/oauth/scopes', admin.headers);
    expect(scopes.json()).toEqual(documented('GET', '/oauth/scopes', 200));
  });

  function requestBodyOf(method: string, path: string): unknown {
    const media = document.paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json'];
    return media ? mediaExample(media) : undefined;
  }
});
