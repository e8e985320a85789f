import type { FastifyRequest } from 'fastify';

interface PropertySchema {
  type?: unknown;
}

/**
 * The schema validator coerces types (`coerceTypes: 'array'`), which form and query input need
 * ("1" → 1, `scopes=a` → ["a"]). A JSON body has real types, though, and Laravel's `string`
 * rule refuses a number, boolean, array or object where a string is expected (wrong
 * types are a 4xx that changes nothing) — coerced, `{"name": true}` would store a user named
 * "true" and `["a"]` would become "a". So for a JSON body, such a value is replaced by a value
 * the validator cannot coerce, and the route answers `The name field must be a string.` (422)
 * after its guard ran, as any other schema failure.
 *
 * Routes that read their own parameters (`attachValidation`: the OAuth endpoints, which take
 * numbers as strings as league does) are left alone, and so is `null` (Laravel's "missing").
 */
export function refuseNonStrings(request: FastifyRequest, body: unknown): unknown {
  if (request.routeOptions.attachValidation) return body;
  const properties = (request.routeOptions.schema?.body as { properties?: Record<string, PropertySchema> } | undefined)?.properties;
  if (!properties || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const fields = body as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || typeof value === 'string') continue;
    if (Object.hasOwn(properties, name) && properties[name]?.type === 'string') fields[name] = {};
  }
  return body;
}
