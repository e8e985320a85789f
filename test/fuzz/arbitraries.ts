import fc from 'fast-check';

/**
 * Hostile input for the route fuzz test: strings with NUL and other control characters, lone
 * surrogates, huge and odd numbers, wrong types, over-long values, duplicated parameters and
 * wrong content types — mixed with values the seeded world knows (client ids, secrets, codes),
 * so requests get past the first checks and reach deep code.
 */

/** A number written into a JSON body as is (`1e309`, `-0`, `18446744073709551616`), which JSON.stringify cannot express. */
export class RawNumber {
  constructor(readonly literal: string) {}
}

export type Value = string | number | boolean | null | RawNumber | Value[] | { [key: string]: Value };

const NASTY = [
  '\u0000',
  'a\u0000b',
  '\u0000users:read',
  '\u0001\u0008\u000b\u000c\u001b\u001f\u007f',
  '\r\nX-Injected: 1',
  '\uD800',
  '\uDC00tail',
  'x\uDBFF',
  '\u202Eevil',
  '\uFEFF',
  '\u2028\u2029',
  '%00',
  '%',
  '%zz',
  '%FF%FE',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1",
  '"; drop table users; --',
  '${7*7}',
  '__proto__',
  'constructor',
  '',
  ' ',
  '\t\n',
  'null',
  'true',
  '[]',
  '{}',
  'NaN',
  'Infinity',
  '1e309',
  '-1e309',
  '-0',
  '0',
  '1',
  '2147483648',
  '18446744073709551616',
  '9007199254740993',
  '0x10',
  '1.5',
  'é',
  '😀',
  'ǅ',
  '*',
  'javascript:alert(1)',
  'https://evil.example/cb',
  'http://127.0.0.1:1/cb',
  'a@b',
  'ada@example.com\u0000',
  'Basic',
];

const RAW_NUMBERS = ['1e309', '-1e309', '-0', '18446744073709551616', '1e-400', '0.1e1', '123456789012345678901234567890', '-9223372036854775809'];

/** Strings: from the hostile list, random code points (any plane), control characters, lone surrogates, long runs, and known values with something hostile attached. */
export function hostileString(known: readonly string[]): fc.Arbitrary<string> {
  const knownValue = known.length > 0 ? fc.constantFrom(...known) : fc.constant('');
  const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
  const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
  // A known value with a NUL or another control character inside: what PostgreSQL refuses.
  const spiked = fc.tuple(knownValue, fc.oneof(fc.constant('\u0000'), control, surrogate), fc.nat()).map(([value, spike, at]) => {
    const cut = value.length === 0 ? 0 : at % (value.length + 1);
    return value.slice(0, cut) + spike + value.slice(cut);
  });
  return fc.oneof(
    { weight: 5, arbitrary: knownValue },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 3, arbitrary: spiked },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.tuple(knownValue, fc.constantFrom(...NASTY)).map(([a, b]) => a + b) },
    { weight: 1, arbitrary: fc.constantFrom(200, 256, 1_000, 70_000).map((n) => 'A'.repeat(n)) },
  );
}

/** Values of any JSON type (and numbers JSON.stringify cannot write), nested a little. */
export function hostileValue(known: readonly string[]): fc.Arbitrary<Value> {
  const text = hostileString(known);
  const scalar: fc.Arbitrary<Value> = fc.oneof(
    { weight: 10, arbitrary: text },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, 2 ** 64, Number.MAX_VALUE, 1.5, -0)) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((literal) => new RawNumber(literal)) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  return fc.oneof(
    { weight: 12, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(text, scalar, { maxKeys: 2 }) },
    { weight: 1, arbitrary: fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }) },
  );
}

/** Parameters as name/value pairs, so a name may repeat; names are mostly the route's own, sometimes `name[]` or hostile. */
export function hostileParams(fields: readonly string[], known: readonly string[]): fc.Arbitrary<[string, Value][]> {
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('x');
  const name = fc.oneof(
    { weight: 12, arbitrary: field },
    { weight: 1, arbitrary: field.map((f) => `${f}[]`) },
    { weight: 1, arbitrary: hostileString([]) },
  );
  return fc.array(fc.tuple(name, hostileValue(known)), { maxLength: Math.max(4, fields.length + 2) });
}

/** Percent-encodes the UTF-8 of a string (lone surrogates become U+FFFD, as a browser sends them). */
export function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

function asText(value: Value): string {
  if (value instanceof RawNumber) return value.literal;
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `a=1&b[]=x&b[]=y&c[k]=v`, as PHP clients write nested values. `raw` leaves the text unencoded (`%zz`, `%00` reach the parser). */
export function formEncode(params: readonly [string, Value][], raw = false): string {
  // Raw: only what would split the parameters or leave printable ASCII is encoded, so `%zz` and `%00` reach the parser as written.
  const enc = raw ? (text: string) => text.replace(/[^\x21-\x7e]|[&=#+]/gu, (c) => percentEncode(c)) : percentEncode;
  const parts: string[] = [];
  for (const [name, value] of params) {
    if (Array.isArray(value)) for (const item of value) parts.push(`${enc(`${name}[]`)}=${enc(asText(item))}`);
    else if (value !== null && typeof value === 'object' && !(value instanceof RawNumber)) {
      for (const [key, item] of Object.entries(value)) parts.push(`${enc(`${name}[${key}]`)}=${enc(asText(item))}`);
    } else parts.push(`${enc(name)}=${enc(asText(value))}`);
  }
  return parts.join('&');
}

/** A JSON text, with raw number literals kept as written and lone surrogates as JSON.stringify escapes them. */
export function jsonEncode(value: Value): string {
  if (value instanceof RawNumber) return value.literal;
  if (Array.isArray(value)) return `[${value.map(jsonEncode).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${jsonEncode(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Pairs to an object (a repeated name: the last value wins, as JSON parsers do). */
export function toObject(params: readonly [string, Value][]): { [key: string]: Value } {
  const object: { [key: string]: Value } = {};
  for (const [name, value] of params) object[name] = value;
  return object;
}

export type BodyEncoding = 'form' | 'form-raw' | 'json' | 'json-array' | 'json-scalar' | 'json-invalid' | 'text-plain' | 'xml' | 'multipart' | 'none' | 'empty-json' | 'too-large';

export const bodyEncoding: fc.Arbitrary<BodyEncoding> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<BodyEncoding>('form') },
  { weight: 2, arbitrary: fc.constant<BodyEncoding>('form-raw') },
  { weight: 8, arbitrary: fc.constant<BodyEncoding>('json') },
  { weight: 1, arbitrary: fc.constantFrom<BodyEncoding>('json-array', 'json-scalar', 'json-invalid', 'text-plain', 'xml', 'multipart', 'none', 'empty-json', 'too-large') },
);

/** The body and content type for `params` in `encoding`. */
export function encodeBody(params: readonly [string, Value][], encoding: BodyEncoding): { payload?: string; contentType?: string } {
  switch (encoding) {
    case 'form':
      return { payload: formEncode(params), contentType: 'application/x-www-form-urlencoded' };
    case 'form-raw':
      return { payload: formEncode(params, true), contentType: 'application/x-www-form-urlencoded; charset=utf-8' };
    case 'json':
      return { payload: jsonEncode(toObject(params)), contentType: 'application/json' };
    case 'json-array':
      return { payload: jsonEncode(params.map(([, value]) => value)), contentType: 'application/json' };
    case 'json-scalar':
      return { payload: jsonEncode(params[0]?.[1] ?? null), contentType: 'application/json; charset=utf-8' };
    case 'json-invalid':
      return { payload: `${jsonEncode(toObject(params)).slice(0, -1)},}`, contentType: 'application/json' };
    case 'text-plain':
      return { payload: formEncode(params), contentType: 'text/plain' };
    case 'xml':
      return { payload: '<?xml version="1.0"?><a>&xxe;</a>', contentType: 'application/xml' };
    case 'multipart':
      return { payload: formEncode(params), contentType: 'multipart/form-data' };
    case 'none':
      return { payload: formEncode(params) };
    case 'empty-json':
      return { payload: '', contentType: 'application/json' };
    case 'too-large':
      return { payload: `name=${'a'.repeat(1_100_000)}`, contentType: 'application/x-www-form-urlencoded' };
  }
}
