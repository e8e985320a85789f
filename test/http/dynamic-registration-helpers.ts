import { expect } from 'vitest';
import type { ClientInformation as RegisteredClientInformation } from '../../src/oauth/client-information.js';
import type { TestApp } from '../helpers/app.js';

/** The answer of POST /oauth/register (RFC 7591 §3.2.1), as the tests read it: the core's type, and whatever else it may carry. */
export type ClientInformation = RegisteredClientInformation & { [field: string]: unknown };

export const REDIRECT = 'https://app.example/callback';
export const LOOPBACK = 'http://127.0.0.1:33418/callback';

/** POST /oauth/register with a JSON body (and a bearer token, when given). */
export function postRegistration(t: TestApp, body: unknown, token?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/register',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Registers a client and returns the 201 body. */
export async function registerClient(t: TestApp, body: Record<string, unknown>, token?: string): Promise<ClientInformation> {
  const res = await postRegistration(t, body, token);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<ClientInformation>();
}

/** A request to the client configuration endpoint (RFC 7592) with the registration access token. */
export function configure(t: TestApp, method: 'GET' | 'PUT' | 'DELETE', clientId: string, token: string | undefined, body?: unknown) {
  return t.app.inject({
    method,
    url: `/oauth/register/${clientId}`,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** RFC 6750 §3.1: 401 `invalid_token` in league's shape, with the Bearer challenge, never cached. */
export function expectInvalidToken(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, description: string): void {
  expect(res.statusCode).toBe(401);
  expect(res.json()).toEqual({ error: 'invalid_token', error_description: description, message: description });
  expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  expect(res.headers['cache-control']).toBe('no-store');
}

export const REGISTRATION_TOKEN_INVALID = 'The registration access token is missing or invalid.';
export const INITIAL_TOKEN_INVALID = 'The initial access token is missing, invalid, expired or revoked.';
