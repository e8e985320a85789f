import { OAuthError } from '../../oauth/errors.js';
import { HttpError, validationSummary } from '../errors.js';
import type { JsonSchema } from './document.js';

/**
 * Documentation-only response schemas for routes whose schema declares no response (the
 * management API answers with presenters, not serialisation schemas). They describe exactly
 * what the presenters return; the examples use the shapes and wording the server sends.
 */

/** A response entry in a route schema as @fastify/swagger reads it: a JSON Schema with a description. */
export type DocResponse = JsonSchema & {
  headers?: Record<string, JsonSchema>;
  content?: Record<string, { schema: JsonSchema }>;
};

const TIME = '2026-11-23T14:35:10.000000Z';
export const EXAMPLE_CLIENT_ID = '9f3c1a52-7d4b-4e8a-b1c6-2f5e8d9a0b17';
const EXAMPLE_SECRET = 'Zq4u1mXbR8vT2kLw9sNc3pYf6hJd0gAe5oVi7rUt';
const EXAMPLE_JTI = 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184a1b2c3d4e5f6a7b8';
const EXAMPLE_JWT = 'eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9.eyJhdWQiOiIuLi4ifQ.c2lnbmF0dXJl';

const string: JsonSchema = { type: 'string' };
const nullableString: JsonSchema = { type: ['string', 'null'] };
const integer: JsonSchema = { type: 'integer' };
const boolean: JsonSchema = { type: 'boolean' };

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', required: Object.keys(properties), properties };
}

const CLIENT_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'string', format: 'uuid' },
  user_id: { type: ['integer', 'null'] },
  name: string,
  provider: nullableString,
  redirect: { type: 'string', description: 'Comma-separated redirect URIs.' },
  personal_access_client: boolean,
  password_client: boolean,
  revoked: boolean,
  created_at: string,
  updated_at: string,
};

export const exampleClient = {
  id: EXAMPLE_CLIENT_ID,
  user_id: 1,
  name: 'My application',
  provider: null,
  redirect: 'https://app.example.com/callback',
  personal_access_client: false,
  password_client: false,
  revoked: false,
  created_at: TIME,
  updated_at: TIME,
};

const TOKEN_PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'string', description: 'The JWT `jti`.' },
  user_id: integer,
  client_id: { type: 'string', format: 'uuid' },
  name: nullableString,
  scopes: { type: 'array', items: string },
  revoked: boolean,
  created_at: string,
  updated_at: string,
  expires_at: nullableString,
  client: object(CLIENT_PROPERTIES),
};

function exampleToken(name: string | null, client: Record<string, unknown> & { id: string }) {
  return { id: EXAMPLE_JTI, user_id: 1, client_id: client.id, name, scopes: ['users:read'], revoked: false, created_at: TIME, updated_at: TIME, expires_at: '2027-11-23T14:35:10.000000Z', client };
}

const personalClient = { ...exampleClient, name: 'Authgate Personal Access Client', redirect: '', personal_access_client: true, user_id: null };

export const responses = {
  client(description: string): DocResponse {
    return { ...object(CLIENT_PROPERTIES), description, examples: [exampleClient] };
  },
  newClient(): DocResponse {
    const properties = { plainSecret: nullableString, ...CLIENT_PROPERTIES, secret: nullableString };
    const example = { plainSecret: EXAMPLE_SECRET, ...exampleClient, secret: EXAMPLE_SECRET };
    return { ...object(properties), description: 'The new client. `plainSecret` and `secret` hold the plain secret (null for a public client); it is never shown again.', examples: [example] };
  },
  clientList(): DocResponse {
    return { type: 'array', items: object(CLIENT_PROPERTIES), description: "The user's clients, by name.", examples: [[exampleClient]] };
  },
  tokenList(description: string, personal: boolean): DocResponse {
    const example = personal ? exampleToken('My token', personalClient) : exampleToken(null, exampleClient);
    return { type: 'array', items: object(TOKEN_PROPERTIES), description, examples: [[example]] };
  },
  personalAccessToken(): DocResponse {
    const properties = { accessToken: { type: 'string', description: 'The token (a JWT); shown only now.' }, token: object(TOKEN_PROPERTIES) };
    return { ...object(properties), description: 'The new token', examples: [{ accessToken: EXAMPLE_JWT, token: exampleToken('My token', personalClient) }] };
  },
  scopes(list: { id: string; description: string }[]): DocResponse {
    return { type: 'array', items: object({ id: string, description: string }), description: 'The declared scopes, in declaration order.', examples: [list] };
  },
  introspection(): DocResponse {
    const example = { active: true, scope: 'users:read', client_id: EXAMPLE_CLIENT_ID, username: 'user@example.com', token_type: 'Bearer', exp: 1795452910, iat: 1795449310, nbf: 1795449310, sub: '1', aud: EXAMPLE_CLIENT_ID, iss: 'http://localhost:8000', jti: EXAMPLE_JTI };
    return { type: 'object', required: ['active'], properties: { active: boolean }, additionalProperties: true, description: 'RFC 7662 §2.2: `{"active": false}` for anything the client may not learn about.', examples: [example] };
  },
  json(description: string, example: unknown): DocResponse {
    return { type: typeof example === 'object' && example !== null && Array.isArray(example) ? 'array' : 'object', description, examples: [example] };
  },
  text(description: string, example: string, type = 'text/plain'): DocResponse {
    return { description, content: { [type]: { schema: { type: 'string', examples: [example] } } } };
  },
  empty(description: string, headers?: Record<string, JsonSchema>): DocResponse {
    return { type: 'null', description, ...(headers ? { headers } : {}) };
  },
  redirect(description: string): DocResponse {
    return { type: 'null', description, headers: { Location: { type: 'string', description: 'Where the browser goes next.' } } };
  },
};

/** `{"message", "status"}`, the application's error shape. */
export function messageError(error: HttpError, description = error.message): DocResponse {
  return {
    ...object({ message: string, status: integer }),
    description,
    examples: [{ message: error.message, status: error.status }],
  };
}

/** Laravel's 422 with `errors` per field. */
export function validationError(errors: Record<string, string[]>): DocResponse {
  return {
    ...object({ message: string, errors: { type: 'object', additionalProperties: { type: 'array', items: string } }, status: integer }),
    description: 'The input is invalid (Laravel’s validation shape).',
    examples: [{ message: validationSummary(errors), errors, status: 422 }],
  };
}

/** The OAuth error shape (league/oauth2-server's wording). */
export function oauthError(error: OAuthError, description: string): DocResponse {
  const properties = { error: string, error_description: string, hint: string, message: string };
  return { type: 'object', required: ['error', 'error_description', 'message'], properties, description, examples: [error.toJSON()] };
}

export const commonErrors = {
  unauthenticated: () => messageError(HttpError.unauthenticated(), 'Not authenticated.'),
  invalidScopes: () => messageError(HttpError.invalidScopes(), 'The token lacks a scope this route needs.'),
  csrf: () => messageError(HttpError.csrfMismatch(), 'Neither a bearer token nor a valid CSRF token was sent.'),
  notFound: () => messageError(HttpError.notFound(), 'Not one of the user’s live records.'),
  tooMany: () => messageError(new HttpError(429, 'Too Many Attempts.'), 'Rate limited; see `Retry-After`.'),
  invalidClient: () => oauthError(OAuthError.invalidClient(), 'Client authentication failed.'),
};
