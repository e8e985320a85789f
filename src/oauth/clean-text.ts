/**
 * Control characters (C0 and DEL) and lone surrogates are not text: PostgreSQL refuses a NUL
 * byte in a string, SQLite would store it, and no name, email, client id, scope or redirect
 * URI contains one. One rule for both databases: such input is refused before anything reads
 * or writes it.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `value` may be stored or looked up as text. */
export function isCleanText(value: string): boolean {
  return !FORBIDDEN.test(value);
}
