import fc from 'fast-check';
import type { Value } from './arbitraries.js';
import { bodyEncoding, encodeBody, formEncode, hostileParams, hostileString, jsonEncode, percentEncode, toObject } from './arbitraries.js';
import type { Mask } from '../helpers/table-checksum.js';
import type { World } from './world.js';
import { DEVICE_GRANT } from './world.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

export interface FuzzRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Run the request in a new anonymous session: its cookie is added and FRESH_CSRF in the body or headers replaced by its token. */
  freshSession?: boolean;
}

/** Stands for the CSRF token of a fresh anonymous session (base64url characters only, so it survives encoding). */
export const FRESH_CSRF = 'FRESHxCSRFxTOKENxPLACEHOLDER';

export interface RouteFamily {
  name: string;
  /** Columns a rejected request of this family may change, as documented (codes spent by a failed attempt, poll times). */
  mask?: Mask;
  request(world: World): fc.Arbitrary<FuzzRequest>;
  /** Known hostile requests, tried first on every run: a NUL in each field that reaches the database. */
  examples?(world: World): FuzzRequest[];
}

const NUL = 'a\u0000b';

/** A form request with the given parameters (examples). */
function form(method: Method, url: string, params: Record<string, string>, headers: Headers = {}): FuzzRequest {
  const hasBody = Object.keys(params).length > 0;
  return {
    method,
    url,
    headers: { accept: 'application/json', ...headers, ...(hasBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(hasBody ? { payload: new URLSearchParams(params).toString() } : {}),
  };
}

const session = (world: World): Headers => ({ cookie: world.session.cookie, 'x-csrf-token': world.session.csrf });
const star = (world: World): Headers => ({ authorization: `Bearer ${world.bearer.star}` });
const registration = { password: 'password123', password_confirmation: 'password123' };

type Headers = Record<string, string>;

/** Header values as a client can send them (no CR, LF or NUL; Latin-1). */
function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
}

const accept: fc.Arbitrary<Headers> = fc.constantFrom<Headers>(
  {},
  { accept: 'application/json' },
  { accept: 'text/html,application/xhtml+xml' },
  { accept: '*/*' },
  { accept: 'application/xml' },
  { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' },
);

/** Ada's session with its CSRF token, without it, with a wrong one, a fresh anonymous session, or no cookie at all. */
function sessionAuth(world: World): fc.Arbitrary<{ headers: Headers; fresh: boolean }> {
  const { cookie, csrf } = world.session;
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ headers: { cookie, 'x-csrf-token': csrf }, fresh: false }) },
    { weight: 1, arbitrary: fc.constant({ headers: { cookie }, fresh: false }) },
    { weight: 1, arbitrary: hostileString(world.known).map((bad) => ({ headers: { cookie, 'x-csrf-token': headerSafe(bad) }, fresh: false })) },
    { weight: 1, arbitrary: fc.constant({ headers: { 'x-csrf-token': FRESH_CSRF }, fresh: true }) },
    { weight: 1, arbitrary: fc.constant({ headers: {}, fresh: false }) },
    { weight: 1, arbitrary: hostileString([]).map((bad) => ({ headers: { cookie: `authgate_session=${headerSafe(bad)}` }, fresh: false })) },
  );
}

function bearerAuth(world: World): fc.Arbitrary<Headers> {
  const { star, read, write, machineRead, machineWrite } = world.bearer;
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(star, read, write, machineRead, machineWrite).map((jwt) => ({ authorization: `Bearer ${jwt}` })) },
    { weight: 1, arbitrary: hostileString(world.known).map((bad) => ({ authorization: headerSafe(`Bearer ${bad}`) })) },
    { weight: 1, arbitrary: fc.constantFrom<Headers>({}, { authorization: 'Bearer' }, { authorization: 'Basic Zm9vOmJhcg==' }, { authorization: `Bearer ${star}x` }) },
  );
}

/** Either authentication a management route accepts: the session, or a bearer token. */
function managementAuth(world: World): fc.Arbitrary<{ headers: Headers; fresh: boolean }> {
  return fc.oneof(sessionAuth(world), bearerAuth(world).map((headers) => ({ headers, fresh: false })));
}

function clientAuth(world: World): fc.Arbitrary<Headers> {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<Headers>({}) },
    { weight: 4, arbitrary: fc.constantFrom(world.basic.confidential, world.basic.password).map((authorization) => ({ authorization })) },
    { weight: 2, arbitrary: fc.tuple(hostileString(world.known), hostileString(world.known)).map(([id, secret]) => ({ authorization: basic(id, secret) })) },
    { weight: 1, arbitrary: fc.constantFrom<Headers>({ authorization: 'Basic !!!' }, { authorization: 'Basic' }, { authorization: 'Bearer x' }, { authorization: 'Basic Og==' }) },
  );
}

/** A path segment: a known id, or anything percent-encoded. */
function segment(world: World): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...world.known) }, { weight: 2, arbitrary: hostileString(world.known) }).map(percentEncode);
}

interface BodyShape {
  method: Method;
  path: string | fc.Arbitrary<string>;
  fields: readonly string[];
  auth: fc.Arbitrary<{ headers: Headers; fresh: boolean }>;
  /** Parameters put first (grant_type). */
  lead?: fc.Arbitrary<[string, Value][]>;
}

function bodyRequest(world: World, shape: BodyShape): fc.Arbitrary<FuzzRequest> {
  const path = typeof shape.path === 'string' ? fc.constant(shape.path) : shape.path;
  return fc
    .record({
      path,
      lead: shape.lead ?? fc.constant<[string, Value][]>([]),
      params: hostileParams(shape.fields, world.known),
      encoding: bodyEncoding,
      auth: shape.auth,
      accept,
    })
    .map(({ path: url, lead, params, encoding, auth, accept: acceptHeaders }) => {
      const withToken = auth.fresh ? [['_token', FRESH_CSRF] as [string, Value], ...lead, ...params] : [...lead, ...params];
      const { payload, contentType } = encodeBody(withToken, encoding);
      const headers: Headers = { ...acceptHeaders, ...auth.headers, ...(contentType ? { 'content-type': contentType } : {}) };
      return { method: shape.method, url, headers, ...(payload !== undefined ? { payload } : {}), freshSession: auth.fresh };
    });
}

function queryRequest(world: World, path: string, fields: readonly string[], auth: fc.Arbitrary<{ headers: Headers; fresh: boolean }>, jsonBody = false): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ params: hostileParams(fields, world.known), raw: fc.boolean(), auth, accept, body: jsonBody ? fc.option(hostileParams(fields, world.known)) : fc.constant(null) })
    .map(({ params, raw, auth: a, accept: acceptHeaders, body }) => {
      const query = formEncode(params, raw);
      const headers: Headers = { ...acceptHeaders, ...a.headers, ...(body ? { 'content-type': 'application/json' } : {}) };
      return { method: 'GET' as const, url: query ? `${path}?${query}` : path, headers, ...(body ? { payload: jsonEncode(toObject(body)) } : {}), freshSession: a.fresh };
    });
}

const withBearer = (world: World) => bearerAuth(world).map((headers) => ({ headers, fresh: false }));
const withClient = (world: World) => clientAuth(world).map((headers) => ({ headers, fresh: false }));
const anonymous = fc.constant({ headers: {}, fresh: false });
const freshOrNone = fc.constantFrom({ headers: {}, fresh: true }, { headers: {}, fresh: true }, { headers: {}, fresh: false });

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password', DEVICE_GRANT, 'personal_access', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer'];

/**
 * The token endpoint spends an authorization code on a failed attempt (a code is never tried
 * twice), revokes a grant whose code or refresh token is replayed (RFC 9700 §4.14) and records
 * device code polls (RFC 8628 slow_down): those columns may change on a 4xx. No row may appear
 * or disappear, and nothing else may change.
 */
const TOKEN_ENDPOINT_MASK: Mask = {
  oauth_auth_codes: ['revoked'],
  oauth_device_codes: ['revoked', 'last_polled_at'],
  oauth_access_tokens: ['revoked', 'updated_at'],
  oauth_refresh_tokens: ['revoked'],
};

export const routeFamilies: RouteFamily[] = [
  {
    name: 'POST /oauth/token (every grant type)',
    examples: (world) => [
      form('POST', '/oauth/token', { grant_type: 'client_credentials', client_id: NUL, client_secret: 'x' }),
      form('POST', '/oauth/token', { grant_type: 'client_credentials', scope: NUL }, { authorization: world.basic.confidential }),
      form('POST', '/oauth/token', { grant_type: 'authorization_code', code: NUL, redirect_uri: 'https://client.example/callback' }, { authorization: world.basic.confidential }),
      form('POST', '/oauth/token', { grant_type: 'refresh_token', refresh_token: NUL }, { authorization: world.basic.confidential }),
      form('POST', '/oauth/token', { grant_type: 'password', username: NUL, password: 'x' }, { authorization: world.basic.password }),
      form('POST', '/oauth/token', { grant_type: DEVICE_GRANT, client_id: NUL, device_code: 'x' }),
      form('POST', '/oauth/token', { grant_type: DEVICE_GRANT, device_code: NUL }, { authorization: world.basic.confidential }),
    ],
    mask: TOKEN_ENDPOINT_MASK,
    request: (world) =>
      bodyRequest(world, {
        method: 'POST',
        path: '/oauth/token',
        fields: ['grant_type', 'client_id', 'client_secret', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'username', 'password', 'device_code'],
        auth: withClient(world),
        lead: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...GRANTS) }, { weight: 1, arbitrary: hostileString([]) }).map((grant) => [['grant_type', grant]]),
      }),
  },
  {
    name: 'GET, POST and DELETE /oauth/authorize',
    examples: (world) => [
      form('GET', '/oauth/authorize?client_id=%00', {}, session(world)),
      form('GET', '/oauth/authorize?client_id=a%00b&response_type=code', {}, { accept: 'text/html' }),
    ],
    request: (world) =>
      fc.oneof(
        { weight: 3, arbitrary: queryRequest(world, '/oauth/authorize', ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'prompt'], sessionAuth(world)) },
        { weight: 2, arbitrary: bodyRequest(world, { method: 'POST', path: '/oauth/authorize', fields: ['_token', 'state', 'client_id', 'auth_token', '_method'], auth: sessionAuth(world) }) },
        { weight: 1, arbitrary: bodyRequest(world, { method: 'DELETE', path: '/oauth/authorize', fields: ['_token', 'state', 'client_id', 'auth_token'], auth: sessionAuth(world) }) },
      ),
  },
  {
    name: 'GET and POST /login',
    examples: (world) => [form('POST', '/login', { email: NUL, password: 'x' }, session(world))],
    request: (world) =>
      fc.oneof(
        { weight: 4, arbitrary: bodyRequest(world, { method: 'POST', path: '/login', fields: ['_token', 'email', 'password'], auth: freshOrNone }) },
        { weight: 1, arbitrary: queryRequest(world, '/login', ['email', 'intended'], anonymous) },
      ),
  },
  {
    name: 'GET and POST /register (page)',
    examples: () => [{ ...form('POST', '/register', { _token: FRESH_CSRF, name: NUL, email: 'nul.page@example.com', ...registration }), freshSession: true }],
    request: (world) =>
      fc.oneof(
        { weight: 4, arbitrary: bodyRequest(world, { method: 'POST', path: '/register', fields: ['_token', 'name', 'email', 'password', 'password_confirmation'], auth: freshOrNone }) },
        { weight: 1, arbitrary: queryRequest(world, '/register', ['name'], anonymous) },
      ),
  },
  {
    name: 'POST /api/users (register)',
    examples: () => [form('POST', '/api/users', { name: NUL, email: 'nul.api@example.com', ...registration })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/api/users', fields: ['name', 'email', 'password', 'password_confirmation'], auth: anonymous }),
  },
  {
    name: 'POST /api/login',
    examples: () => [form('POST', '/api/login', { email: 'ada@example.com', password: 'correct horse battery', device_name: NUL })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/api/login', fields: ['email', 'password', 'device_name', 'scopes'], auth: anonymous }),
  },
  {
    name: 'POST /api/v1/user/store',
    examples: (world) => [form('POST', '/api/v1/user/store', { name: NUL, email: 'nul.store@example.com', password: 'password123' }, { authorization: `Bearer ${world.bearer.write}` })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/api/v1/user/store', fields: ['name', 'email', 'password'], auth: withBearer(world) }),
  },
  {
    name: 'GET /api/users (search) and GET /api/user',
    examples: (world) => [
      form('GET', '/api/users?name=a%00b', {}, { authorization: `Bearer ${world.bearer.read}` }),
      form('GET', '/api/users?name=a&page=1e309', {}, { authorization: `Bearer ${world.bearer.read}` }),
    ],
    request: (world) =>
      fc.oneof(
        { weight: 4, arbitrary: queryRequest(world, '/api/users', ['name', 'page', 'per_page'], withBearer(world), true) },
        { weight: 1, arbitrary: queryRequest(world, '/api/user', ['x'], managementAuth(world)) },
      ),
  },
  {
    name: '/oauth/clients (list, create, update, delete)',
    examples: (world) => [
      form('POST', '/oauth/clients', { name: NUL, redirect: 'https://nul.example/cb' }, star(world)),
      form('PUT', '/oauth/clients/a%00b', { name: 'x', redirect: 'https://nul.example/cb' }, star(world)),
      form('DELETE', '/oauth/clients/a%00b', {}, star(world)),
    ],
    request: (world) => {
      const fields = ['name', 'redirect', 'confidential'];
      const auth = managementAuth(world);
      const one = segment(world).map((id) => `/oauth/clients/${id}`);
      return fc.oneof(
        queryRequest(world, '/oauth/clients', [], auth),
        bodyRequest(world, { method: 'POST', path: '/oauth/clients', fields, auth }),
        bodyRequest(world, { method: 'PUT', path: one, fields, auth }),
        bodyRequest(world, { method: 'DELETE', path: one, fields: [], auth }),
      );
    },
  },
  {
    name: '/oauth/personal-access-tokens (list, create, delete)',
    examples: (world) => [
      form('POST', '/oauth/personal-access-tokens', { name: NUL }, star(world)),
      form('POST', '/oauth/personal-access-tokens', { name: 'php', 'scopes[]': 'bogus' }, star(world)),
      form('DELETE', '/oauth/personal-access-tokens/a%00b', {}, star(world)),
    ],
    request: (world) => {
      const auth = managementAuth(world);
      return fc.oneof(
        queryRequest(world, '/oauth/personal-access-tokens', [], auth),
        bodyRequest(world, { method: 'POST', path: '/oauth/personal-access-tokens', fields: ['name', 'scopes'], auth }),
        bodyRequest(world, { method: 'DELETE', path: segment(world).map((id) => `/oauth/personal-access-tokens/${id}`), fields: [], auth }),
      );
    },
  },
  {
    name: '/oauth/tokens (list, delete) and POST /oauth/token/refresh',
    examples: (world) => [form('DELETE', '/oauth/tokens/a%00b', {}, star(world))],
    request: (world) => {
      const auth = managementAuth(world);
      return fc.oneof(
        queryRequest(world, '/oauth/tokens', [], auth),
        bodyRequest(world, { method: 'DELETE', path: segment(world).map((id) => `/oauth/tokens/${id}`), fields: [], auth }),
        bodyRequest(world, { method: 'POST', path: '/oauth/token/refresh', fields: ['_token'], auth }),
      );
    },
  },
  {
    name: 'POST /oauth/revoke',
    examples: () => [form('POST', '/oauth/revoke', { token: 'x', client_id: NUL })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/oauth/revoke', fields: ['token', 'token_type_hint', 'client_id', 'client_secret'], auth: withClient(world) }),
  },
  {
    name: 'POST /oauth/introspect',
    examples: () => [form('POST', '/oauth/introspect', { token: 'x', client_id: NUL, client_secret: 'x' })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/oauth/introspect', fields: ['token', 'token_type_hint', 'client_id', 'client_secret'], auth: withClient(world) }),
  },
  {
    name: 'POST /oauth/device/code',
    examples: () => [form('POST', '/oauth/device/code', { client_id: NUL })],
    request: (world) => bodyRequest(world, { method: 'POST', path: '/oauth/device/code', fields: ['client_id', 'client_secret', 'scope'], auth: withClient(world) }),
  },
  {
    name: 'GET and POST /oauth/device (page)',
    examples: (world) => [form('POST', '/oauth/device', { user_code: NUL }, { ...session(world), accept: 'text/html' })],
    request: (world) =>
      fc.oneof(
        queryRequest(world, '/oauth/device', ['user_code'], sessionAuth(world)),
        bodyRequest(world, { method: 'POST', path: '/oauth/device', fields: ['_token', 'user_code', 'action'], auth: sessionAuth(world) }),
      ),
  },
  {
    name: '/oauth/resources (list, create, delete)',
    examples: (world) => [
      form('POST', '/oauth/resources', { uri: `https://nul.example/${NUL}`, name: 'x' }, star(world)),
      form('POST', '/oauth/resources', { uri: 'https://nul.example/mcp', name: NUL, 'scopes[]': 'a' }, star(world)),
      form('DELETE', '/oauth/resources/a%00b', {}, star(world)),
    ],
    request: (world) => {
      const auth = managementAuth(world);
      return fc.oneof(
        queryRequest(world, '/oauth/resources', [], auth),
        bodyRequest(world, { method: 'POST', path: '/oauth/resources', fields: ['uri', 'name', 'scopes', 'token_ttl'], auth }),
        bodyRequest(world, { method: 'DELETE', path: segment(world).map((id) => `/oauth/resources/${id}`), fields: [], auth }),
      );
    },
  },
  {
    name: 'POST /oauth/register and /oauth/register/{id} (dynamic registration)',
    examples: (): FuzzRequest[] => [
      { method: 'POST', url: '/oauth/register', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ client_name: NUL, redirect_uris: ['https://nul.example/cb'] }) },
      { method: 'GET', url: '/oauth/register/a%00b', headers: { authorization: 'Bearer x' } },
    ],
    request: (world) =>
      fc.oneof(
        bodyRequest(world, {
          method: 'POST',
          path: '/oauth/register',
          fields: ['client_name', 'redirect_uris', 'grant_types', 'token_endpoint_auth_method', 'scope', 'client_uri'],
          auth: fc.constant({ headers: {}, fresh: false }),
        }),
        bodyRequest(world, { method: 'PUT', path: segment(world).map((id) => `/oauth/register/${id}`), fields: ['client_id', 'client_name', 'redirect_uris'], auth: withBearer(world) }),
        bodyRequest(world, { method: 'DELETE', path: segment(world).map((id) => `/oauth/register/${id}`), fields: [], auth: withBearer(world) }),
      ),
  },
  {
    name: 'GET and POST /oauth/userinfo',
    request: (world) =>
      fc.oneof(queryRequest(world, '/oauth/userinfo', ['access_token'], withBearer(world)), bodyRequest(world, { method: 'POST', path: '/oauth/userinfo', fields: ['access_token'], auth: withBearer(world) })),
  },
];
