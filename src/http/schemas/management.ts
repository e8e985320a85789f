// Types only: route schemas carry OpenAPI's `summary` and `tags` for the generated documentation.
import type {} from '@fastify/swagger';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/**
 * Request schemas of Passport's JSON management API (clients, tokens, personal access
 * tokens, scopes) and the debugbar cache route. They validate the request, type the handler
 * and document the route. Bodies may be JSON or a form.
 */

/** Passport validates `name` as `required|max:191` (the length of a MySQL utf8mb4 index). */
const Name = Type.String({ minLength: 1, maxLength: 191, description: 'A name the user will recognise.', examples: ['My application'] });

const Redirect = Type.String({
  minLength: 1,
  description: 'One or more comma-separated absolute redirect URIs.',
  examples: ['https://app.example.com/callback'],
});

export const ClientBody = Type.Object({
  name: Name,
  redirect: Redirect,
  // Laravel's `boolean` rule: true, false, 1, 0, "1", "0" ("true"/"false" and 1/0 are coerced).
  confidential: Type.Optional(
    Type.Union([Type.Boolean(), Type.Literal('1'), Type.Literal('0')], {
      description: 'Whether the client can keep a secret (default true); a public client uses PKCE instead.',
    }),
  ),
});

export const ClientUpdateBody = Type.Object({ name: Name, redirect: Redirect });

export const ClientParams = Type.Object({ client_id: Type.String({ description: 'The client id (a UUID).' }) });

export const TokenParams = Type.Object({ token_id: Type.String({ description: 'The token id (the JWT `jti`).' }) });

/** `scopes` must be declared scopes (Passport: `array|in:<scope ids>`); built from the registry at start. */
export function personalAccessTokenBody(scopeIds: string[]) {
  return Type.Object({
    name: Name,
    scopes: Type.Optional(
      Type.Array(Type.Enum(scopeIds), { description: 'Declared scopes for the token (default none).', examples: [['users:read']] }),
    ),
  });
}

export const DebugbarCacheParams = Type.Object({
  key: Type.String({ description: 'The cache key to forget.' }),
  tags: Type.Optional(Type.String({ description: 'Comma-separated cache tags the key is stored under.' })),
});

/** Laravel's `boolean` rule's accepted values to a boolean; absent means `fallback`. */
export function booleanInput(value: boolean | '1' | '0' | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === '1';
}

/**
 * A request without a body — or whose JSON body is not an object (`[]`, `1`, `"text"`), which
 * Laravel reads as no input — is validated as an empty form, so it gets Laravel's "field is
 * required" messages instead of a complaint about the body's type.
 */
export async function emptyBodyAsForm(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) request.body = {};
}
