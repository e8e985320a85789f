import type { JsonSchema, MediaType } from './document.js';

/**
 * Example values generated from JSON Schemas, for the docs page and the Postman collection.
 * A schema's own `examples`, `example`, `default`, `const` or first `enum` value wins; otherwise
 * the value follows the format, then a few well-known field names, then the type, and always
 * satisfies the schema's length and range limits, so an example request is a valid request.
 */

const SAMPLE_TIME = '2026-11-23T14:35:10.000000Z';
const SAMPLE_PASSWORD = 'correct-horse-battery-staple';

const BY_FORMAT: Record<string, string> = {
  email: 'user@example.com',
  uri: 'https://app.example.com/callback',
  url: 'https://app.example.com/callback',
  uuid: '9f3c1a52-7d4b-4e8a-b1c6-2f5e8d9a0b17',
  'date-time': SAMPLE_TIME,
  date: '2026-11-23',
};

/** Field names whose meaning a type alone does not give away. */
const BY_NAME: Record<string, unknown> = {
  email: 'user@example.com',
  username: 'user@example.com',
  password: SAMPLE_PASSWORD,
  password_confirmation: SAMPLE_PASSWORD,
  name: 'Jane Doe',
  device_name: 'my-laptop',
  redirect: 'https://app.example.com/callback',
  redirect_uri: 'https://app.example.com/callback',
  client_id: '9f3c1a52-7d4b-4e8a-b1c6-2f5e8d9a0b17',
  token_id: 'b1946ac92492d2347c6235b4d2611184b1946ac92492d2347c6235b4d2611184a1b2c3d4e5f6a7b8',
  scope: 'users:read',
  scopes: 'users:read',
  key: 'settings',
  tags: 'clients',
  token_type: 'Bearer',
  // Laravel's paginator links.
  first: 'http://localhost:8000/api/users?page=1',
  last: 'http://localhost:8000/api/users?page=2',
  prev: null,
  next: 'http://localhost:8000/api/users?page=2',
  url: 'http://localhost:8000/api/users?page=1',
  path: 'http://localhost:8000/api/users',
  label: '1',
  expires_in: 3600,
  id: 1,
  user_id: 1,
  revoked: false,
  personal_access_client: false,
  password_client: false,
};

const MAX_DEPTH = 8;

/** An example value for `schema`; `name` is the property (or parameter) it describes. */
export function exampleFor(schema: JsonSchema | undefined, name = '', depth = 0): unknown {
  if (!schema || depth > MAX_DEPTH) return null;
  const declared = declaredExample(schema);
  if (declared.found) return declared.value;
  if (BY_NAME[name] === null && allowsNull(schema)) return null;
  const branch = firstBranch(schema);
  if (branch) return exampleFor(branch, name, depth + 1);
  switch (primaryType(schema)) {
    case 'object':
      return objectExample(schema, depth);
    case 'array':
      return [exampleFor(schema.items, name, depth + 1)];
    case 'integer':
    case 'number':
      return numberExample(schema, name);
    case 'boolean':
      return typeof BY_NAME[name] === 'boolean' ? BY_NAME[name] : true;
    case 'null':
      return null;
    default:
      return stringExample(schema, name);
  }
}

/** The example of a request or response body: the media type's own example first. */
export function mediaExample(media: MediaType): unknown {
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0];
  if (first?.value !== undefined) return first.value;
  return exampleFor(media.schema);
}

function declaredExample(schema: JsonSchema): { found: boolean; value?: unknown } {
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return { found: true, value: schema.examples[0] };
  if (schema.example !== undefined) return { found: true, value: schema.example };
  if (schema.default !== undefined) return { found: true, value: schema.default };
  if (schema.const !== undefined) return { found: true, value: schema.const };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { found: true, value: schema.enum[0] };
  return { found: false };
}

/** The first alternative that is not `null`: a nullable field is shown with a value. */
function firstBranch(schema: JsonSchema): JsonSchema | undefined {
  const branches = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (!branches || branches.length === 0) return undefined;
  return branches.find((branch) => primaryType(branch) !== 'null') ?? branches[0];
}

function allowsNull(schema: JsonSchema): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes('null') || (schema.anyOf ?? schema.oneOf ?? []).some((branch) => branch.type === 'null');
}

export function primaryType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null') ?? schema.type[0];
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

function objectExample(schema: JsonSchema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [property, child] of Object.entries(schema.properties ?? {})) {
    out[property] = exampleFor(child, property, depth + 1);
  }
  return out;
}

function numberExample(schema: JsonSchema, name: string): number {
  const hinted = BY_NAME[name];
  let value = typeof hinted === 'number' ? hinted : (schema.minimum ?? 1);
  if (schema.minimum !== undefined) value = Math.max(value, schema.minimum);
  if (schema.maximum !== undefined) value = Math.min(value, schema.maximum);
  return value;
}

function stringExample(schema: JsonSchema, name: string): string {
  const hinted = BY_NAME[name];
  let value =
    (schema.format ? BY_FORMAT[schema.format] : undefined) ??
    (typeof hinted === 'string' ? hinted : undefined) ??
    (name.endsWith('_at') ? SAMPLE_TIME : undefined) ??
    'string';
  if (schema.minLength !== undefined && value.length < schema.minLength) value = value.padEnd(schema.minLength, 'x');
  if (schema.maxLength !== undefined && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  return value;
}
