import type { IncomingHttpHeaders } from 'node:http';
import { ResourceServerError } from './errors.js';

export interface TokenBearingRequest {
  headers: IncomingHttpHeaders;
  /** The request target (path and query), to refuse a token sent in the URL. */
  url?: string | undefined;
}

/** RFC 6750 §2.1: `Bearer` then a b64token (letters, digits, `-._~+/`, trailing `=`). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token of a request, from the Authorization header: the only method this resource
 * supports. A token in the query string is refused outright, not silently ignored: URLs end up
 * in logs, histories and Referer headers (RFC 9700 §4.3.2, RFC 6819 §4.6.7), and the MCP
 * specification forbids it.
 */
export function bearerTokenFrom(request: TokenBearingRequest): string {
  if (hasQueryToken(request.url)) {
    throw ResourceServerError.invalidRequest('Send the access token in the Authorization header, not in the URL');
  }
  const header = request.headers.authorization;
  // RFC 6750 §3.1: another scheme (or none) means the client did not try a bearer token.
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) throw ResourceServerError.missingToken();
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    if (header.trim().length <= 'Bearer'.length) throw ResourceServerError.invalidRequest('The Authorization header has no token');
    throw ResourceServerError.invalidToken('The access token is malformed');
  }
  return token;
}

function hasQueryToken(url: string | undefined): boolean {
  const start = url?.indexOf('?') ?? -1;
  return url !== undefined && start !== -1 && new URLSearchParams(url.slice(start + 1).split('#')[0]).has('access_token');
}
