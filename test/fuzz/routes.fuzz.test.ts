import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../helpers/services.js';
import type { FuzzRequest, RouteFamily } from './route-families.js';
import { FRESH_CSRF, routeFamilies } from './route-families.js';
import { changedTables, checksums, tableNames } from '../helpers/table-checksum.js';
import type { Mask } from '../helpers/table-checksum.js';
import type { World } from './world.js';
import { createWorld } from './world.js';

/**
 * Issue 6, "Tests that keep it so": property-based fuzzing of every route family with hostile
 * input (NUL and control characters, lone surrogates, huge numbers, wrong types, over-long
 * values, repeated parameters, wrong content types), through `app.inject()`.
 *
 * Properties, for every request: never a 5xx; an `X-Request-Id`; a body of the documented
 * shape (`{"message","status"}` or league's `{"error","error_description","message"}` for JSON
 * errors, a full HTML page, a redirect with a Location); and a rejected request (4xx) changes no
 * row of any table (checksums of every table before and after).
 *
 * FUZZ_RUNS sets the runs per route family and database (default 30: the file stays well under
 * a minute on SQLite and PostgreSQL in CI); FUZZ_SEED replays a reported failure. Each family
 * first tries its known hostile examples (a NUL in every field that reaches the database).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const databases = ['sqlite', ...(POSTGRES_URL ? ['postgres' as const] : [])] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Touching a session's last activity is no change of state. */
const EVERY_REQUEST_MASK: Mask = { sessions: ['last_activity'] };
const EXPECTED_TABLES = [
  'oauth_access_tokens',
  'oauth_auth_codes',
  'oauth_clients',
  'oauth_device_codes',
  'oauth_personal_access_clients',
  'oauth_refresh_tokens',
  'oauth_registration_tokens',
  'oauth_resources',
  'oauth_revoked_grants',
  'sessions',
  'users',
];

interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** What is wrong with a response, by the properties above (the database check aside). */
function responseProblems(res: Response): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  if (status >= 500) problems.push('a 5xx');
  if (!UUID.test(String(res.headers['x-request-id']))) problems.push('no X-Request-Id');
  const type = String(res.headers['content-type'] ?? '');
  // 204, or RFC 7009's 200 with an empty body.
  if (status === 204 || (status < 300 && res.body === '')) return problems;
  if (status >= 300 && status < 400) {
    if (typeof res.headers.location !== 'string' || res.headers.location === '') problems.push('a redirect without Location');
    return problems;
  }
  if (type.startsWith('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return [...problems, 'a JSON content type with a body that is not JSON'];
    }
    if (status >= 400) {
      const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const laravel = typeof fields.message === 'string' && fields.status === status;
      const oauth = typeof fields.error === 'string' && typeof fields.error_description === 'string' && fields.message === fields.error_description;
      if (!laravel && !oauth) problems.push('an error body of neither documented shape');
      if (laravel && status === 422 && (typeof fields.errors !== 'object' || fields.errors === null)) problems.push('a 422 without errors');
    }
  } else if (type.startsWith('text/html')) {
    if (!/^<!doctype html>/i.test(res.body)) problems.push('an HTML body that is not a page');
  } else if (!(status < 300 && type.startsWith('text/plain'))) {
    problems.push(`an unexpected content type "${type}"`);
  }
  return problems;
}

/** A new anonymous session (cookie and CSRF token), for requests that would replace the shared one (login, register). */
async function freshSession(world: World): Promise<{ cookie: string; csrf: string }> {
  const page = await world.t.app.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
  const setCookie = [page.headers['set-cookie'] ?? []].flat().map(String);
  const cookie = setCookie.map((line) => line.split(';')[0]).join('; ');
  const csrf = /name="_token" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  return { cookie, csrf };
}

function describeRequest(request: FuzzRequest): string {
  const payload = request.payload === undefined ? '' : ` body(${request.payload.length}): ${JSON.stringify(request.payload.slice(0, 300))}`;
  return `${request.method} ${JSON.stringify(request.url.slice(0, 300))} headers: ${JSON.stringify(request.headers)}${payload}`;
}

async function check(world: World, tables: string[], family: RouteFamily, generated: FuzzRequest): Promise<void> {
  const request = { ...generated, headers: { ...generated.headers } };
  if (request.freshSession) {
    const session = await freshSession(world);
    request.headers.cookie = session.cookie;
    if (request.headers['x-csrf-token'] === FRESH_CSRF) request.headers['x-csrf-token'] = session.csrf;
    if (request.payload !== undefined) request.payload = request.payload.replaceAll(FRESH_CSRF, session.csrf);
  }
  const mask = { ...EVERY_REQUEST_MASK, ...family.mask };
  const database = world.t.storage.database;
  const before = await checksums(database, tables, mask);
  const res = await world.t.app.inject({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  const problems = responseProblems(res);
  if (res.statusCode >= 400 && res.statusCode < 500) {
    const changed = changedTables(before, await checksums(database, tables, mask));
    if (changed.length > 0) problems.push(`rejected, yet changed ${changed.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new Error(`${problems.join('; ')}\n  ${describeRequest(request)}\n  → ${res.statusCode} ${res.body.slice(0, 400)}`);
  }
}

describe.each(databases)('fuzzed requests on %s', (database) => {
  let world: World;
  let tables: string[];

  beforeAll(async () => {
    world = await createWorld(database);
    tables = await tableNames(world.t.storage.database);
  }, 60_000);
  afterAll(async () => {
    await world?.t.close();
  });

  it('compares every table', () => {
    expect(tables).toEqual(EXPECTED_TABLES);
  });

  for (const family of routeFamilies) {
    it(family.name, { timeout: 30_000 + RUNS * 1_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(family.request(world), (request) => check(world, tables, family, request)),
        { numRuns: RUNS, examples: (family.examples?.(world) ?? []).map((request) => [request]), ...(SEED === undefined ? {} : { seed: SEED }) },
      );
    });
  }
});
