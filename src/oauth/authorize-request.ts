import { isCleanText } from './clean-text.js';
import { OAuthError } from './errors.js';
import type { AuthCodeRepository, Client } from './ports.js';
import { appendToRedirectUri, resolveRedirectUri } from './redirect-uri.js';
import type { Audience, ResourceDirectory } from './resource-indicators.js';
import { scopesFor } from './resource-indicators.js';
import type { ScopeRegistry } from './scopes.js';
import { parseScopeParameter } from './scopes.js';
import { opaqueToken, sha256 } from './random-tokens.js';

/** OpenID Connect Core §3.1.2.1 `prompt` values this server honours. */
export type Prompt = 'none' | 'login' | 'consent';
export type ResponseType = 'code' | 'token';

/** A validated authorization request: everything needed to answer it later, JSON-serialisable (it waits in the session). */
export interface AuthorizationRequest {
  responseType: ResponseType;
  clientId: string;
  /** Where the response goes. */
  redirectUri: string;
  /** The `redirect_uri` parameter as sent; null when omitted (the token request must then omit it too). */
  redirectUriParam: string | null;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
  prompt: Prompt[];
  /** RFC 8707 resources the tokens will be bound to; empty: none asked for (aud = the client id). */
  resources: string[];
}

/** Where an error may be sent once the client and its redirect URI are known (RFC 6749 §4.1.2.1). */
export interface RedirectTarget {
  uri: string;
  state: string | null;
  mode: 'query' | 'fragment';
}

export type AuthorizeValidation =
  | { ok: true; request: AuthorizationRequest; client: Client }
  /** Without `redirect`, the error must be shown to the user and never sent to the client. */
  | { ok: false; error: OAuthError; redirect?: RedirectTarget };

export interface AuthorizeDependencies {
  clients: { find(id: string): Promise<Client | undefined> };
  scopes: ScopeRegistry;
  resources: Pick<ResourceDirectory, 'resolve'>;
  implicitGrant: boolean;
}

const PARAMETERS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'prompt'] as const;
type Parameter = (typeof PARAMETERS)[number];
type Parameters = Partial<Record<Parameter, string>>;

/** RFC 7636 §4.2: 43–128 unreserved characters. */
const CODE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Reads the query; a parameter given twice, or holding control characters (no client id,
 * URI, scope or state contains one), is `invalid_request` (RFC 6749 §3.1).
 */
function readParameters(query: Record<string, unknown>): { params: Parameters; malformed: Parameter[] } {
  const params: Parameters = {};
  const malformed: Parameter[] = [];
  for (const name of PARAMETERS) {
    const value = query[name];
    if (Array.isArray(value) || (typeof value === 'string' && !isCleanText(value))) malformed.push(name);
    else if (typeof value === 'string' && value !== '') params[name] = value;
  }
  return { params, malformed };
}

/**
 * Validates an authorization request in the order RFC 6749 §4.1.2.1 requires: first what
 * decides whether the client may be redirected to (client, redirect URI) — errors there are
 * shown to the user — then everything else, whose errors go back to the client.
 */
export async function validateAuthorizationRequest(query: Record<string, unknown>, deps: AuthorizeDependencies): Promise<AuthorizeValidation> {
  const { params, malformed } = readParameters(query);
  const repeated = malformed[0];
  // Which of several values was meant cannot be known (nor a malformed one), so neither may decide where to redirect.
  for (const name of ['client_id', 'redirect_uri'] as const) {
    if (malformed.includes(name)) return { ok: false, error: OAuthError.invalidRequest(name) };
  }
  if (!params.client_id) return { ok: false, error: OAuthError.invalidRequest('client_id') };
  const client = await deps.clients.find(params.client_id);
  if (!client || client.revoked) return { ok: false, error: OAuthError.invalidClient() };
  const redirect = resolveRedirectUri(params.redirect_uri, client.redirectUris);
  if (!redirect.ok) {
    return { ok: false, error: redirect.reason === 'missing' ? OAuthError.invalidRequest('redirect_uri') : new OAuthError('invalid_client', 'Client authentication failed', 401, 'The `redirect_uri` is not registered for this client') };
  }
  const target: RedirectTarget = {
    uri: redirect.uri,
    state: malformed.includes('state') ? null : (params.state ?? null),
    mode: params.response_type === 'token' && deps.implicitGrant ? 'fragment' : 'query',
  };
  try {
    if (repeated) throw OAuthError.invalidRequest(repeated);
    const audience = await deps.resources.resolve(resourceIndicators(query.resource));
    const request = validateRest(params, client, deps, { redirect, audience });
    return { ok: true, request, client };
  } catch (error) {
    if (error instanceof OAuthError) return { ok: false, error, redirect: target };
    throw error;
  }
}

interface Resolved {
  redirect: { uri: string; sent: string | null };
  audience: Audience;
}

function validateRest(params: Parameters, client: Client, deps: AuthorizeDependencies, { redirect, audience }: Resolved): AuthorizationRequest {
  const responseType = params.response_type;
  if (responseType === undefined) throw OAuthError.invalidRequest('response_type');
  if (responseType !== 'code' && !(responseType === 'token' && deps.implicitGrant)) throw OAuthError.unsupportedResponseType();
  // RFC 9700 §2.4 / §5: `*` is for first-party flows only, never a third-party authorization request.
  const scopes = scopesFor(deps.scopes, parseScopeParameter(params.scope), audience, { allowWildcard: false });
  const pkce = responseType === 'code' ? validatePkce(params, client) : { codeChallenge: null, codeChallengeMethod: null };
  return {
    responseType,
    clientId: client.id,
    redirectUri: redirect.uri,
    redirectUriParam: redirect.sent,
    scopes,
    state: params.state ?? null,
    ...pkce,
    nonce: params.nonce ?? null,
    prompt: parsePrompt(params.prompt),
    resources: audience.uris,
  };
}

/** RFC 8707 §2: `resource` may be repeated; each must be a clean string (checked against the registry next). */
function resourceIndicators(value: unknown): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string' && isCleanText(item))) throw OAuthError.invalidTarget();
  return values.filter((item) => item !== '');
}

/** RFC 7636 §4.3 (method defaults to `plain`); RFC 9700 §2.1.1: public clients must use PKCE, and S256. */
function validatePkce(params: Parameters, client: Client): Pick<AuthorizationRequest, 'codeChallenge' | 'codeChallengeMethod'> {
  const isPublic = client.secretHash === null;
  const challenge = params.code_challenge;
  if (challenge === undefined) {
    if (isPublic) throw OAuthError.invalidRequest('code_challenge', 'Code challenge must be provided for public clients');
    return { codeChallenge: null, codeChallengeMethod: null };
  }
  const method = params.code_challenge_method ?? 'plain';
  if (method !== 'S256' && method !== 'plain') {
    throw OAuthError.invalidRequest('code_challenge_method', 'Code challenge method must be one of `S256`, `plain`');
  }
  if (isPublic && method !== 'S256') {
    throw OAuthError.invalidRequest('code_challenge_method', 'Public clients must use the `S256` code challenge method');
  }
  if (!CODE_CHALLENGE.test(challenge)) {
    throw OAuthError.invalidRequest('code_challenge', 'Code challenge must follow the specifications of RFC-7636.');
  }
  return { codeChallenge: challenge, codeChallengeMethod: method };
}

/** OpenID Connect Core §3.1.2.1: space-delimited; `none` may not be combined with another value. */
function parsePrompt(value: string | undefined): Prompt[] {
  const values = [...new Set((value ?? '').split(' ').filter(Boolean))];
  for (const prompt of values) {
    if (prompt !== 'none' && prompt !== 'login' && prompt !== 'consent') throw OAuthError.invalidRequest('prompt');
  }
  if (values.includes('none') && values.length > 1) throw OAuthError.invalidRequest('prompt');
  return values as Prompt[];
}

/**
 * The redirect that answers an authorization request: `state` and, per RFC 9207, `iss` on every
 * response, success or error.
 */
export function authorizationRedirect(target: RedirectTarget, params: Record<string, string | undefined>, issuer: string): string {
  return appendToRedirectUri(target.uri, { ...params, state: target.state ?? undefined, iss: issuer }, target.mode);
}

/** An error sent back to the client: `state` first, then league's payload, as Passport words it. */
export function errorRedirect(target: RedirectTarget, error: OAuthError, issuer: string): string {
  const body = error.toJSON();
  return appendToRedirectUri(
    target.uri,
    { state: target.state ?? undefined, error: body.error, error_description: body.error_description, hint: body.hint, message: body.message, iss: issuer },
    target.mode,
  );
}

export function targetOf(request: AuthorizationRequest): RedirectTarget {
  return { uri: request.redirectUri, state: request.state, mode: request.responseType === 'token' ? 'fragment' : 'query' };
}

export interface IssueCodeOptions {
  authCodes: AuthCodeRepository;
  userId: number;
  /** Unix seconds of the user's login (OpenID Connect `auth_time`). */
  authTime: number | null;
  ttlSeconds: number;
  now?: number;
}

/** Issues an authorization code; only its SHA-256 is stored (RFC 6749 §10.5). */
export async function issueAuthorizationCode(request: AuthorizationRequest, options: IssueCodeOptions): Promise<string> {
  const code = opaqueToken(40);
  await options.authCodes.create({
    id: sha256(code),
    userId: options.userId,
    clientId: request.clientId,
    scopes: request.scopes,
    expiresAt: new Date((options.now ?? Date.now()) + options.ttlSeconds * 1000),
    redirectUri: request.redirectUriParam,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
    authTime: options.authTime,
    // `?? []`: a request waiting in a session from before resources existed.
    resources: (request.resources ?? []).length > 0 ? request.resources : null,
  });
  return code;
}
