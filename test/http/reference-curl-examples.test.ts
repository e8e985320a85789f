import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Every example of reference 000 replayed as its curl line is written (only
 * `Authorization: Bearer {token}`) and as its JavaScript (plus Accept and Content-Type JSON).
 * Found in review: the curl form of `GET /oauth/authorize` was answered 400 invalid_request
 * where the reference shows 401 Unauthenticated.
 */
const EXAMPLES: [Method, string, number, Record<string, unknown> | undefined][] = [
  ['GET', '/oauth/authorize', 401, { message: 'Unauthenticated.', status: 401 }],
  ['POST', '/oauth/authorize', 419, { message: 'CSRF token mismatch.', status: 419 }],
  ['DELETE', '/oauth/authorize', 419, undefined],
  [
    'POST',
    '/oauth/token',
    400,
    {
      error: 'unsupported_grant_type',
      error_description: 'The authorization grant type is not supported by the authorization server.',
      hint: 'Check that all required parameters have been provided',
      message: 'The authorization grant type is not supported by the authorization server.',
    },
  ],
  ['GET', '/oauth/tokens', 401, { message: 'Unauthenticated.', status: 401 }],
  ['DELETE', '/oauth/tokens/1', 419, undefined],
  ['POST', '/oauth/token/refresh', 419, { message: 'CSRF token mismatch.', status: 419 }],
  ['GET', '/oauth/clients', 401, { message: 'Unauthenticated.', status: 401 }],
  ['POST', '/oauth/clients', 419, { message: 'CSRF token mismatch.', status: 419 }],
  ['PUT', '/oauth/clients/1', 419, undefined],
  ['DELETE', '/oauth/clients/1', 419, undefined],
  ['GET', '/oauth/scopes', 401, { message: 'Unauthenticated.', status: 401 }],
  ['GET', '/oauth/personal-access-tokens', 401, { message: 'Unauthenticated.', status: 401 }],
  ['POST', '/oauth/personal-access-tokens', 419, { message: 'CSRF token mismatch.', status: 419 }],
  ['DELETE', '/oauth/personal-access-tokens/1', 419, undefined],
  ['POST', '/api/v1/user/store', 401, { message: 'Unauthenticated.', status: 401 }],
];

describe('reference 000 examples, replayed literally', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const styles: [string, Record<string, string>][] = [
    ['curl', { authorization: 'Bearer {token}' }],
    ['javascript', { authorization: 'Bearer {token}', accept: 'application/json', 'content-type': 'application/json' }],
  ];

  for (const [style, headers] of styles) {
    it.each(EXAMPLES)(`${style}: %s %s → %i`, async (method, url, status, body) => {
      const res = await t.app.inject({ method, url, headers });
      expect(res.statusCode).toBe(status);
      if (body) expect(res.json()).toEqual(body);
      expect(res.headers['x-request-id']).toBeTruthy();
    });
  }
});
