/**
 * How long to keep a client's metadata document. The CIMD draft ("Metadata Caching") asks to
 * respect the HTTP caching headers (RFC 9111) within bounds the server chooses. Ours: at least
 * five minutes, so a client that says `no-store` cannot make every authorization request fetch
 * its URL again (load on both sides, and a signal to the client's host of each user's visit);
 * at most a day, so a changed or withdrawn document is seen within a day.
 */
export const CLIENT_METADATA_CACHE_BOUNDS = { minSeconds: 300, maxSeconds: 86_400 } as const;

/** Response headers by name; names are matched case-insensitively. */
export type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Seconds to cache a document fetched at `now` (milliseconds) with these response headers,
 * clamped to {@link CLIENT_METADATA_CACHE_BOUNDS}. Without any freshness information, the
 * lower bound: the server keeps the document only as long as it must.
 */
export function clientMetadataCacheSeconds(headers: ResponseHeaders, now: number = Date.now()): number {
  const { minSeconds, maxSeconds } = CLIENT_METADATA_CACHE_BOUNDS;
  const lifetime = freshnessLifetime(headers, now);
  if (lifetime === undefined) return minSeconds;
  const age = nonNegativeInteger(header(headers, 'age')) ?? 0;
  return Math.min(maxSeconds, Math.max(minSeconds, lifetime - age));
}

/** RFC 9111 §4.2.1: s-maxage, then max-age, then Expires minus Date; no-store and no-cache mean zero. */
function freshnessLifetime(headers: ResponseHeaders, now: number): number | undefined {
  const directives = cacheControl(header(headers, 'cache-control'));
  if (directives.has('no-store') || directives.has('no-cache')) return 0;
  const maxAge = nonNegativeInteger(directives.get('s-maxage')) ?? nonNegativeInteger(directives.get('max-age'));
  if (maxAge !== undefined) return maxAge;
  const expires = header(headers, 'expires');
  if (expires === undefined) return undefined;
  const expiresAt = Date.parse(expires);
  // RFC 9111 §5.3: an invalid Expires (such as "0") means already expired.
  if (Number.isNaN(expiresAt)) return 0;
  const date = Date.parse(header(headers, 'date') ?? '');
  const base = Number.isNaN(date) ? now : date;
  return Math.floor((expiresAt - base) / 1000);
}

function cacheControl(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (value ?? '').split(',')) {
    const [name = '', argument = ''] = part.split('=', 2).map((piece) => piece.trim());
    if (name !== '') directives.set(name.toLowerCase(), argument.replace(/^"|"$/g, ''));
  }
  return directives;
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}

function nonNegativeInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
