import type { FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { ValidationError } from '../errors.js';
import { laravelValidationError } from '../validation-messages.js';

// Laravel's `string|max:191` (the utf8mb4 index limit its default migrations were built around).
const NAME = Type.String({ minLength: 1, maxLength: 191, description: "The user's name." });
const EMAIL = Type.String({ minLength: 1, maxLength: 191, format: 'email', description: 'A unique email address.' });
const PASSWORD = Type.String({ minLength: 8, description: 'At least 8 characters.' });

export const RegisterBody = Type.Object({
  name: NAME,
  email: EMAIL,
  password: PASSWORD,
  password_confirmation: Type.Optional(Type.String({ description: 'The password again.' })),
});
export type RegisterBody = Static<typeof RegisterBody>;

export const StoreUserBody = Type.Object({ name: NAME, email: EMAIL, password: PASSWORD });
export type StoreUserBody = Static<typeof StoreUserBody>;

export const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, format: 'email' }),
  password: Type.String({ minLength: 1 }),
  device_name: Type.Optional(Type.String({ maxLength: 191, description: 'The token name; "login" when absent.' })),
  scopes: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), { description: 'Declared scopes, or ["*"] (the default) for every scope.' }),
  ),
});
export type LoginBody = Static<typeof LoginBody>;

export const SearchUsersQuery = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 191, description: "A part of the user's name (any case)." }),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Page number, from 1.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Users per page, 15 when absent.' })),
});
export type SearchUsersQuery = Static<typeof SearchUsersQuery>;

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const UserJson = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  email_verified_at: NullableString,
  created_at: NullableString,
  updated_at: NullableString,
});

export const LoginResponse = Type.Object({
  token_type: Type.Literal('Bearer'),
  access_token: Type.String(),
  expires_in: Type.Integer(),
  user: UserJson,
});

const PageLink = Type.Object({ url: NullableString, label: Type.String(), active: Type.Boolean() });
const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** Laravel's paginated resource collection (LengthAwarePaginator through a JSON resource). */
export const UserPageJson = Type.Object({
  data: Type.Array(UserJson),
  links: Type.Object({ first: Type.String(), last: Type.String(), prev: NullableString, next: NullableString }),
  meta: Type.Object({
    current_page: Type.Integer(),
    from: NullableInteger,
    last_page: Type.Integer(),
    links: Type.Array(PageLink),
    path: Type.String(),
    per_page: Type.Integer(),
    to: NullableInteger,
    total: Type.Integer(),
  }),
});

// Laravel trims every input but passwords (TrimStrings) and turns empty strings into null
// (ConvertEmptyStringsToNull), so "" and "  " fail `required` rather than `min:8`.
const UNTRIMMED = new Set(['password', 'password_confirmation']);

const INTEGER_FIELDS = new Set(['page', 'per_page']);
const PHP_INT_MAX = 9223372036854775807n;

/**
 * Laravel's `integer` rule is PHP's FILTER_VALIDATE_INT: an optional sign and decimal digits
 * without leading zeros, within PHP's 64-bit range. The validator's own coercion reads "1e309"
 * as Infinity, which then skips the bounds and reached the database (a 500), and reads "1e3",
 * "0x10", `true` and `[1]` as numbers. So an integer field is read here: a valid integer becomes
 * a number (then checked against the schema's minimum and maximum), anything else a value the
 * validator cannot coerce, answered "The page field must be an integer." (422).
 */
function laravelInteger(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) <= Number(PHP_INT_MAX) ? value + 0 : {};
  if (typeof value !== 'string' || !/^[+-]?(0|[1-9][0-9]*)$/.test(value)) return {};
  const big = BigInt(value);
  return big > PHP_INT_MAX || big < -PHP_INT_MAX - 1n ? {} : Number(big);
}

/**
 * Shapes request input as Laravel's middleware would before validation: a missing or non-object
 * body becomes `{}`, strings are trimmed, empty and null values are dropped, and PHP-style
 * `scopes[]` form keys are read as `scopes`.
 */
export function normaliseInput(input: unknown): Record<string, unknown> {
  const source = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {};
  const output: Record<string, unknown> = {};
  for (const [rawKey, rawValue] of Object.entries(source)) {
    const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
    // A hand-parsed JSON body may carry "__proto__"; assigning it would replace the prototype.
    if (key === '__proto__') continue;
    const value = typeof rawValue === 'string' && !UNTRIMMED.has(key) ? rawValue.trim() : rawValue;
    if (value === null || value === '') continue;
    output[key] = INTEGER_FIELDS.has(key) ? laravelInteger(value) : value;
  }
  return output;
}

/** A preValidation step that normalises the body (see normaliseInput). */
export async function normaliseBody(request: FastifyRequest): Promise<void> {
  request.body = normaliseInput(request.body);
}

/**
 * Laravel lists errors in the order of the rules, field by field; the schema validator lists
 * missing fields first. Reorders its errors by `fields` so the summary names the first field.
 */
export function laravelErrorOrder(fields: readonly string[]) {
  return (issues: FastifySchemaValidationError[]): ValidationError => {
    const { errors } = laravelValidationError(issues);
    const rank = (field: string) => {
      const index = fields.indexOf(field);
      return index === -1 ? fields.length : index;
    };
    const ordered = Object.keys(errors).sort((a, b) => rank(a) - rank(b));
    return new ValidationError(Object.fromEntries(ordered.map((field) => [field, errors[field] ?? []])));
  };
}
