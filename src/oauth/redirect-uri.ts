/**
 * Redirect URI rules for the authorization endpoint (RFC 6749 §3.1.2, RFC 9700 §2.1 and
 * §4.1.3, RFC 8252 §7.3). The comparison is an exact string match: no normalisation of case,
 * percent-encoding, default ports or trailing slashes, because every normalisation an
 * authorization server does is one an attacker can game. The only relaxation is the port of a
 * loopback redirect URI, which native apps pick at run time.
 */

export type RedirectUriResult =
  /** `uri` is where to send the response; `sent` is the parameter as received (null when omitted). */
  | { ok: true; uri: string; sent: string | null }
  | { ok: false; reason: 'missing' | 'mismatch' };

/** Hosts RFC 8252 §7.3 lets a native app listen on with any port (`localhost` too, as §8.3 tolerates). */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?(\/[^?#]*)?(\?[^#]*)?$/;

interface LoopbackParts {
  host: string;
  port: number | undefined;
  path: string;
  query: string;
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const match = LOOPBACK.exec(uri);
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host: match[1] ?? '', port, path: match[3] ?? '', query: match[4] ?? '' };
}

/**
 * True when a redirect URI is safe to send a browser to at all: an absolute URI without a
 * fragment (RFC 6749 §3.1.2) and without user information, which browsers and parsers disagree
 * about (`https://good.example@evil.example` goes to evil.example).
 */
export function isAcceptableRedirectUri(uri: string): boolean {
  if (uri.includes('#') || /[\s\\]/.test(uri)) return false;
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (DANGEROUS_SCHEMES.has(parsed.protocol)) return false;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?]*)/i.exec(uri)?.[1] ?? '';
  return !authority.includes('@') && parsed.username === '' && parsed.password === '';
}

/** Schemes that run code in the browser instead of reaching a client. */
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

/** RFC 8252 §7.3: a loopback redirect URI matches whatever port the app opened. */
function matchesLoopback(requested: string, registered: string): boolean {
  const want = loopbackParts(registered);
  if (!want) return false;
  const got = loopbackParts(requested);
  if (!got) return false;
  return got.host === want.host && got.path === want.path && got.query === want.query;
}

export function redirectUriMatches(requested: string, registered: string): boolean {
  return requested === registered || matchesLoopback(requested, registered);
}

/**
 * Picks the redirect URI of an authorization request. `requested` may be omitted only when the
 * client registered exactly one URI (RFC 6749 §3.1.2.3).
 */
export function resolveRedirectUri(requested: string | undefined, registered: readonly string[]): RedirectUriResult {
  if (requested === undefined) {
    const only = registered.length === 1 ? registered[0] : undefined;
    if (only === undefined || !isAcceptableRedirectUri(only)) return { ok: false, reason: 'missing' };
    return { ok: true, uri: only, sent: null };
  }
  if (!isAcceptableRedirectUri(requested)) return { ok: false, reason: 'mismatch' };
  const match = registered.some((uri) => redirectUriMatches(requested, uri));
  return match ? { ok: true, uri: requested, sent: requested } : { ok: false, reason: 'mismatch' };
}

/**
 * Appends response parameters to a redirect URI, keeping its own query (RFC 6749 §4.1.2:
 * "MUST retain the query component"), in the query or — for the implicit grant — the fragment.
 */
export function appendToRedirectUri(uri: string, params: Record<string, string | undefined>, mode: 'query' | 'fragment' = 'query'): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.append(key, value);
  const encoded = search.toString();
  if (mode === 'fragment') return `${uri}#${encoded}`;
  if (!uri.includes('?')) return `${uri}?${encoded}`;
  return uri.endsWith('?') || uri.endsWith('&') ? `${uri}${encoded}` : `${uri}&${encoded}`;
}
