import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services.js';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';

const REQUEST_ID = /^[0-9a-f-]{36}$/;

/**
 * The documented error shapes (404 with the route, 405 with the allowed methods) for requests that match no route as sent. Found in review: a wrong method on a
 * route with a parameter was a 404, a malformed or over-long path got Fastify's own body
 * without X-Request-Id, and `//api//user` was reported as `/user`.
 */
describe('routing errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_DEBUG: 'true' } });
  });
  afterAll(() => t.close());

  it.each([
    ['GET', '/oauth/clients/1', 'PUT, DELETE'],
    ['POST', '/oauth/tokens/1', 'DELETE'],
    ['GET', '/oauth/personal-access-tokens/abc', 'DELETE'],
    ['GET', '/_debugbar/cache/key/tag', 'DELETE'],
    ['GET', '/_debugbar/cache/key', 'DELETE'],
  ])('answers %s %s with 405 and the methods it supports', async (method, url, allowed) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allowed);
    expect(res.json()).toEqual({
      message: `The ${method} method is not supported for route ${url.slice(1)}. Supported methods: ${allowed}.`,
      status: 405,
    });
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  });

  it('names the path as Laravel does: without its outer slashes, `/` for the root', async () => {
    const doubled = await t.app.inject({ method: 'GET', url: '//api//user' });
    expect(doubled.statusCode).toBe(404);
    expect(doubled.json()).toEqual({ message: 'The route api//user could not be found.', status: 404 });
    const root = await t.app.inject({ method: 'DELETE', url: '/', headers: { accept: 'application/json' } });
    expect(root.statusCode).toBe(405);
    expect(root.json().message).toBe('The DELETE method is not supported for route /. Supported methods: GET, HEAD.');
  });

  it('answers a path with broken percent-encoding with a JSON 400 and a request id', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/oauth/clients/%ZZ', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ message: 'The request URL is malformed.', status: 400 });
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  });

  it('answers an over-long path parameter with a JSON 404 and a request id', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: `/oauth/clients/${'a'.repeat(300)}`, headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: 'Not Found.', status: 404 });
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  });
});

describe('configuration checked at start', () => {
  it('refuses OAUTH_DEFAULT_SCOPES naming an undeclared scope with a message naming the variable', async () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', STORAGE_PATH: '/nonexistent-authgate-review', APP_KEY: 'base64:test', OAUTH_DEFAULT_SCOPES: 'users:read nope' });
    const start = createServices(config, { generateSecrets: false, migrate: false });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toMatchObject({ variable: 'OAUTH_DEFAULT_SCOPES', message: 'Invalid configuration: OAUTH_DEFAULT_SCOPES names an undeclared scope "nope"' });
  });
});
