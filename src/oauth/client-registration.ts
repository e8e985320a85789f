/** RFC 3986 §3.1: an absolute URI starts with a scheme. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Schemes a browser would execute or read locally instead of navigating to a client: a
 * redirect to them turns the authorization endpoint into a script injection point.
 */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about']);

/**
 * One redirect URI as Passport's RedirectRule accepts it (an absolute URL), tightened by
 * RFC 6749 §3.1.2: it must be absolute and must not contain a fragment (`#`). Native-app
 * schemes (`com.example.app:/callback`, RFC 8252 §7.1) are allowed. Never looser than what
 * the authorization endpoint accepts, or a client could register a URI it can never use.
 */
export function isValidRedirectUri(uri: string): boolean {
  // Whitespace and control characters would be silently fixed by the URL parser; the
  // stored string must be exactly what an authorization request will be compared with.
  if (uri === '' || /[\s\\#]/.test(uri) || hasControlCharacter(uri)) return false;
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme || FORBIDDEN_SCHEMES.has(scheme)) return false;
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  // User information makes parsers disagree on the host (`https://good.example@evil.example`).
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?]*)/i.exec(uri)?.[1] ?? '';
  if (authority.includes('@') || url.username !== '' || url.password !== '') return false;
  if (scheme === 'http' || scheme === 'https') {
    // `http:example.com` parses, but is not the absolute `http://host/…` form.
    return uri.slice(scheme.length + 1).startsWith('//') && url.hostname !== '';
  }
  return true;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Passport's `redirect` field: one or more comma-separated URIs. Returns the list, or
 * undefined when any entry is not a valid redirect URI (Passport rejects the whole field).
 */
export function parseRedirectUris(value: string): string[] | undefined {
  const uris = value.split(',').map((uri) => uri.trim());
  if (!uris.every(isValidRedirectUri)) return undefined;
  return uris;
}
