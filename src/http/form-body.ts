import { parse } from 'node:querystring';

/** `scopes[]` or `scopes[0]`: PHP's array syntax, as Laravel clients and `http_build_query` send it. */
const ARRAY_KEY = /^(.+)\[(\d*)\]$/;

/**
 * The form body parser (given to @fastify/formbody): the standard `application/x-www-form-urlencoded`
 * parsing, plus PHP's array keys. `scopes[]=a&scopes[]=b` (or `scopes[0]=a&scopes[1]=b`) is read
 * as `scopes: ["a", "b"]` — as Laravel reads it — for every route that accepts an array; a key
 * sent once without brackets stays a string, and a key repeated without brackets is an array, as
 * before. When both forms of one name are sent, the bracketed one wins (PHP keeps the last).
 */
export function parseFormBody(text: string): Record<string, string | string[]> {
  // maxKeys 0: no silent cut at 1000 keys; the body limit bounds the size.
  const fields = parse(text, '&', '=', { maxKeys: 0 });
  const output: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  const arrays = new Map<string, string[]>();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const name = ARRAY_KEY.exec(key)?.[1];
    if (name === undefined) {
      if (!arrays.has(key)) output[key] = value;
      continue;
    }
    const list = arrays.get(name) ?? [];
    list.push(...[value].flat());
    arrays.set(name, list);
    output[name] = list;
  }
  return output;
}
