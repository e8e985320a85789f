import { isValidRedirectUri } from './client-registration.js';

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client whose
 * `client_id` is an https URL publishes its registration as JSON at that URL. This file is the
 * pure half: it checks the URL before anything is fetched and the fetched document after; the
 * SSRF-guarded fetch lives in `src/net/safe-fetch.ts`. Sections are cited by title, because
 * their numbers move between revisions of the draft.
 */

export type ClientMetadataErrorCode =
  | 'invalid_client_id_url'
  | 'invalid_document'
  | 'client_id_mismatch'
  | 'invalid_client_name'
  | 'invalid_redirect_uris'
  | 'invalid_uri'
  | 'forbidden_field'
  | 'unsupported_auth_method'
  | 'invalid_grant_types'
  | 'invalid_response_types';

export interface ClientMetadataError {
  code: ClientMetadataErrorCode;
  /** For the operator's log and the error page; names the rule, never echoes long input. */
  message: string;
}

export type TokenEndpointAuthMethod = 'none' | 'private_key_jwt';
export type ClientMetadataGrantType = 'authorization_code' | 'refresh_token';

/** A validated document, shaped for Authgate: always a public client unless `private_key_jwt`. */
export interface ClientMetadata {
  clientId: string;
  /** `client_name`, or the host of the client_id when the document has none. */
  name: string;
  redirectUris: string[];
  logoUri: string | null;
  clientUri: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  jwksUri: string | null;
  /** RFC 7591 §2: `["authorization_code"]` when the document does not say. */
  grantTypes: ClientMetadataGrantType[];
}

export interface ClientMetadataOptions {
  /** `CIMD_ALLOW_PRIVATE=true`: an `http://` URL on a loopback host is accepted (tests, labs). */
  allowHttpLoopback?: boolean;
  /**
   * Accept `token_endpoint_auth_method: private_key_jwt` (with `jwks_uri`). Off by default:
   * Authgate does not verify client assertions yet, and accepting such a client would let the
   * user consent to an app that then fails at the token endpoint.
   */
  allowPrivateKeyJwt?: boolean;
}

export type ClientIdUrlResult = { ok: true; url: URL } | { ok: false; error: ClientMetadataError };
export type ClientMetadataResult = { ok: true; client: ClientMetadata } | { ok: false; error: ClientMetadataError };

const MAX_URL_LENGTH = 2000;
const MAX_NAME_LENGTH = 200;
const GRANT_TYPES: ReadonlySet<string> = new Set(['authorization_code', 'refresh_token']);
const SHARED_SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
/** JWK members that only private or symmetric keys have (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const LOOPBACK_HOST = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

/** True when a `client_id` is meant as a metadata document URL rather than an id Authgate issued. */
export function isClientIdMetadataUrl(clientId: string, options: ClientMetadataOptions = {}): boolean {
  return clientId.startsWith('https://') || (options.allowHttpLoopback === true && clientId.startsWith('http://'));
}

/**
 * CIMD draft, "Client Identifier URL": https, a path, no userinfo, no fragment, no dot segments.
 * Authgate also wants the URL in the canonical form a URL parser gives (lower-case host, no
 * default port): the draft compares client ids as plain strings, so a URL that a parser would
 * rewrite could be fetched at one address and be known by another name. A root path is refused
 * too (the draft: NOT RECOMMENDED), as the MCP SDK does: an origin's home page is not a client.
 */
export function checkClientIdUrl(clientId: string, options: ClientMetadataOptions = {}): ClientIdUrlResult {
  const problem = clientIdUrlProblem(clientId, options);
  if (problem !== undefined) return { ok: false, error: { code: 'invalid_client_id_url', message: `client_id ${problem}` } };
  return { ok: true, url: new URL(clientId) };
}

function clientIdUrlProblem(clientId: string, options: ClientMetadataOptions): string | undefined {
  if (clientId.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  if (!URL.canParse(clientId)) return 'must be an absolute URL';
  const url = new URL(clientId);
  if (!allowedScheme(url, options)) return 'must use https';
  if (url.username !== '' || url.password !== '' || rawAuthority(clientId).includes('@')) return 'must not contain user information';
  if (clientId.includes('#')) return 'must not contain a fragment';
  if (hasDotSegment(clientId)) return 'must not contain . or .. path segments';
  if (url.pathname === '/' || url.pathname === '') return 'must have a path';
  if (url.href !== clientId) return `must be written in canonical form (${url.href})`;
  return undefined;
}

function allowedScheme(url: URL, options: ClientMetadataOptions): boolean {
  if (url.protocol === 'https:') return true;
  return options.allowHttpLoopback === true && url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname);
}

function rawAuthority(uri: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri)?.[1] ?? '';
}

/** Checked on the raw string: the URL parser removes dot segments (RFC 3986 §5.2.4) silently. */
function hasDotSegment(uri: string): boolean {
  const path = uri.slice(uri.indexOf('//') + 2).replace(/^[^/?#]*/, '').split(/[?#]/)[0] ?? '';
  return path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/**
 * Validates a fetched document against the URL it was fetched from (CIMD draft, "Client ID
 * Metadata Document" and "Credential and Key Material Restrictions").
 */
export function validateClientMetadataDocument(
  clientId: string,
  document: unknown,
  options: ClientMetadataOptions = {},
): ClientMetadataResult {
  try {
    return { ok: true, client: readDocument(clientId, document, options) };
  } catch (error) {
    if (error instanceof InvalidMetadata) return { ok: false, error: error.error };
    throw error;
  }
}

class InvalidMetadata extends Error {
  constructor(readonly error: ClientMetadataError) {
    super(error.message);
  }
}

function readDocument(clientId: string, document: unknown, options: ClientMetadataOptions): ClientMetadata {
  const url = checkClientIdUrl(clientId, options);
  if (!url.ok) throw new InvalidMetadata(url.error);
  if (!isObject(document)) throw invalid('invalid_document', 'the client metadata document must be a JSON object');
  // The draft: `client_id` must equal the URL it was fetched from, by simple string comparison.
  if (document.client_id !== clientId) throw invalid('client_id_mismatch', 'client_id in the document does not match the URL it was fetched from');
  rejectSecrets(document);
  checkResponseTypes(document.response_types);
  const auth = authMethod(document, options);
  return {
    clientId,
    name: clientName(document.client_name, url.url),
    redirectUris: redirectUris(document.redirect_uris),
    logoUri: linkUri('logo_uri', document.logo_uri, options),
    clientUri: linkUri('client_uri', document.client_uri, options),
    tokenEndpointAuthMethod: auth.method,
    jwksUri: auth.jwksUri,
    grantTypes: grantTypes(document.grant_types),
  };
}

/** Authgate decision: a missing name falls back to the host, which consent shows anyway. */
function clientName(value: unknown, url: URL): string {
  if (value === undefined) return url.host;
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '' || name.length > MAX_NAME_LENGTH || hasControlCharacter(name)) {
    throw invalid('invalid_client_name', `client_name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
}

/** The same rule as every Authgate client (RFC 6749 §3.1.2), so consent never shows a URI the flow refuses. */
function redirectUris(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('invalid_redirect_uris', 'redirect_uris must be a non-empty array');
  for (const uri of value) {
    if (typeof uri !== 'string' || !isValidRedirectUri(uri)) throw invalid('invalid_redirect_uris', 'redirect_uris contains an invalid redirect URI');
  }
  return [...(value as string[])];
}

function linkUri(field: string, value: unknown, options: ClientMetadataOptions): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !URL.canParse(value)) throw invalid('invalid_uri', `${field} must be an https URL`);
  const url = new URL(value);
  if (!allowedScheme(url, options)) throw invalid('invalid_uri', `${field} must be an https URL`);
  if (url.username !== '' || url.password !== '' || rawAuthority(value).includes('@')) throw invalid('invalid_uri', `${field} must not contain user information`);
  return value;
}

function authMethod(document: Record<string, unknown>, options: ClientMetadataOptions): { method: TokenEndpointAuthMethod; jwksUri: string | null } {
  const method = document.token_endpoint_auth_method ?? 'none';
  if (method === 'none') return { method, jwksUri: null };
  if (method === 'private_key_jwt' && options.allowPrivateKeyJwt === true) {
    const jwksUri = linkUri('jwks_uri', document.jwks_uri, options);
    if (jwksUri === null) throw invalid('invalid_uri', 'private_key_jwt requires jwks_uri');
    return { method, jwksUri };
  }
  throw invalid('unsupported_auth_method', `token_endpoint_auth_method must be "none"${options.allowPrivateKeyJwt ? ' or "private_key_jwt"' : ''}`);
}

function grantTypes(value: unknown): ClientMetadataGrantType[] {
  if (value === undefined) return ['authorization_code'];
  if (!isStringArray(value) || value.length === 0 || !value.every((grant) => GRANT_TYPES.has(grant))) {
    throw invalid('invalid_grant_types', 'grant_types may only contain authorization_code and refresh_token');
  }
  return [...new Set(value as ClientMetadataGrantType[])];
}

/** CIMD draft, "Credential and Key Material Restrictions": no shared secret can exist, and no private key may be published. */
function rejectSecrets(document: Record<string, unknown>): void {
  for (const field of ['client_secret', 'client_secret_expires_at']) {
    if (field in document) throw invalid('forbidden_field', `${field} must not appear in a client metadata document`);
  }
  const method = document.token_endpoint_auth_method;
  if (typeof method === 'string' && SHARED_SECRET_METHODS.has(method)) {
    throw invalid('forbidden_field', `token_endpoint_auth_method ${method} relies on a shared secret`);
  }
  if (hasPrivateKeyMaterial(document.jwks)) throw invalid('forbidden_field', 'jwks must be a JWK set of public keys only');
}

function checkResponseTypes(value: unknown): void {
  if (value === undefined) return;
  if (isStringArray(value) && value.length > 0 && value.every((type) => type === 'code')) return;
  throw invalid('invalid_response_types', 'response_types may only contain code');
}

function hasPrivateKeyMaterial(jwks: unknown): boolean {
  if (jwks === undefined) return false;
  const keys = isObject(jwks) ? jwks.keys : undefined;
  if (!Array.isArray(keys)) return true;
  return keys.some((key) => !isObject(key) || PRIVATE_JWK_MEMBERS.some((member) => member in key));
}

function invalid(code: ClientMetadataErrorCode, message: string): InvalidMetadata {
  return new InvalidMetadata({ code, message });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function hasControlCharacter(value: string): boolean {
  return [...value].some((char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code < 0xa0);
  });
}
