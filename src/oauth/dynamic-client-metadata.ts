import { isValidRedirectUri } from './client-registration.js';
import { OAuthError } from './errors.js';

/**
 * The client metadata of a dynamic registration request (RFC 7591 §2), checked and given its
 * defaults. Pure: the use case (use-cases/dynamic-registration.ts) supplies the deployment's
 * grants and scopes. Every refusal is an RFC 7591 §3.2.2 error whose description names the
 * field and the rule, never echoes long or hostile input. Unknown fields are ignored (§2).
 */

export type RegistrationAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** A grant of the token endpoint a registered client may ask for, as the grant registry describes it. */
export interface RegistrableGrant {
  grantType: string;
  allowsPublicClients: boolean;
  /** The grant's answers carry a refresh token: registering it implies `refresh_token`. */
  issuesRefreshTokens: boolean;
}

export interface MetadataRules {
  grants: readonly RegistrableGrant[];
  isDeclaredScope(scope: string): boolean;
  /** RFC 7592 update: the client's method, kept when the request names none (else client_secret_basic, RFC 7591 §2). */
  currentAuthMethod?: RegistrationAuthMethod;
}

/** The registered metadata with the defaults applied, in RFC 7591 §2's names and the order they are answered in. */
export interface RegisteredMetadata {
  client_name: string;
  redirect_uris: string[];
  /** What the token endpoint lets the client use: the registered grants, plus `refresh_token` when one of them issues refresh tokens. */
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: RegistrationAuthMethod;
  scope?: string;
  client_uri?: string;
  logo_uri?: string;
  tos_uri?: string;
  policy_uri?: string;
  contacts?: string[];
  software_id?: string;
  software_version?: string;
}

export const MAX_NAME_LENGTH = 191;
export const MAX_URI_LENGTH = 2048;
const MAX_REDIRECT_URIS = 20;
const MAX_CONTACTS = 20;
const AUTH_METHODS: readonly RegistrationAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];
/** RFC 7591 §2 / OIDC Registration methods Authgate knows but does not offer. */
const UNSUPPORTED_AUTH_METHODS = new Set(['private_key_jwt', 'client_secret_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']);
/** Key material would only serve private_key_jwt, which Authgate does not verify. */
const UNSUPPORTED_FIELDS = ['jwks', 'jwks_uri'] as const;
const LINK_FIELDS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const;
const TEXT_FIELDS = ['software_id', 'software_version'] as const;
/** Bidirectional overrides would let a name display as something else on the consent page. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;

type Body = Record<string, unknown>;

const invalid = (description: string) => OAuthError.invalidClientMetadata(description);

/** Validates a registration (RFC 7591 §3.1) or update (RFC 7592 §2.2) request body; throws an OAuthError. */
export function validateClientMetadata(input: unknown, rules: MetadataRules): RegisteredMetadata {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid('The request body must be a JSON object of client metadata.');
  }
  const body = input as Body;
  for (const field of UNSUPPORTED_FIELDS) {
    if (present(body[field])) throw invalid(`${field} is not supported: clients authenticate with a client secret or as public clients.`);
  }
  const method = authMethod(body.token_endpoint_auth_method, rules);
  const registered = grantTypes(body.grant_types, method, rules);
  const redirectUris = redirectUriList(body.redirect_uris, registered.includes('authorization_code'));
  const metadata: RegisteredMetadata = {
    client_name: text('client_name', body.client_name, MAX_NAME_LENGTH)?.trim() || defaultClientName(redirectUris),
    redirect_uris: redirectUris,
    grant_types: withImpliedGrants(registered, rules),
    response_types: responseTypes(body.response_types, registered),
    token_endpoint_auth_method: method,
  };
  const scopes = scope(body.scope, rules);
  if (scopes !== undefined) metadata.scope = scopes;
  for (const field of LINK_FIELDS) {
    const uri = httpsUrl(field, body[field]);
    if (uri !== undefined) metadata[field] = uri;
  }
  const contactList = contacts(body.contacts);
  if (contactList !== undefined) metadata.contacts = contactList;
  for (const field of TEXT_FIELDS) {
    const value = text(field, body[field], MAX_NAME_LENGTH);
    if (value !== undefined) metadata[field] = value;
  }
  return metadata;
}

/** JSON `null` and the empty string mean "not sent" (RFC 7592 §2.2: an empty value deletes the field). */
function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** RFC 7591 §2: default `client_secret_basic`; RFC 7592 updates keep the current method when none is named. */
function authMethod(value: unknown, rules: MetadataRules): RegistrationAuthMethod {
  if (!present(value)) return rules.currentAuthMethod ?? 'client_secret_basic';
  if (typeof value === 'string' && UNSUPPORTED_AUTH_METHODS.has(value)) {
    throw invalid(`token_endpoint_auth_method ${value} is not supported: use none, client_secret_basic or client_secret_post.`);
  }
  if (typeof value !== 'string' || !(AUTH_METHODS as readonly string[]).includes(value)) {
    throw invalid('token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.');
  }
  return value as RegistrationAuthMethod;
}

/** RFC 7591 §2: default `["authorization_code"]`; only grants this server answers, and public clients only those open to them. */
function grantTypes(value: unknown, method: RegistrationAuthMethod, rules: MetadataRules): string[] {
  if (!present(value)) return ['authorization_code'];
  const list = stringArray('grant_types', value);
  if (list.length === 0) throw invalid('grant_types must not be empty.');
  const supported = rules.grants.map((grant) => grant.grantType);
  for (const [index, grantType] of list.entries()) {
    const grant = rules.grants.find((candidate) => candidate.grantType === grantType);
    if (!grant) {
      const named = printable(grantType) ? `The grant type ${grantType}` : `grant_types[${index}]`;
      throw invalid(`${named} is not supported for registered clients; supported: ${supported.join(', ')}.`);
    }
    if (method === 'none' && !grant.allowsPublicClients) {
      throw invalid(`A public client (token_endpoint_auth_method none) cannot use the ${grantType} grant.`);
    }
  }
  return [...new Set(list)];
}

/**
 * Authgate's code and device grants answer with a refresh token (as Passport does); a client
 * that registered only `authorization_code` (RFC 7591's default) could not redeem it unless
 * `refresh_token` came with it, as node-oidc-provider also reasons.
 */
function withImpliedGrants(registered: string[], rules: MetadataRules): string[] {
  const refresh = rules.grants.some((grant) => grant.grantType === 'refresh_token');
  const implied = rules.grants.some((grant) => grant.issuesRefreshTokens && registered.includes(grant.grantType));
  return refresh && implied && !registered.includes('refresh_token') ? [...registered, 'refresh_token'] : registered;
}

/** RFC 7591 §2.1: `code` goes with `authorization_code`, and nothing else is offered (no implicit flow). */
function responseTypes(value: unknown, grants: string[]): string[] {
  const code = grants.includes('authorization_code');
  if (!present(value)) return code ? ['code'] : [];
  const list = [...new Set(stringArray('response_types', value))];
  if (list.some((type) => type !== 'code')) throw invalid('response_types may only contain code.');
  if (list.length > 0 && !code) throw invalid('The code response type needs the authorization_code grant in grant_types.');
  if (list.length === 0 && code) throw invalid('The authorization_code grant needs the code response type in response_types.');
  return list;
}

/** The rules every client's redirect URIs follow (client-registration.ts), plus no comma: Passport's column is comma-separated. */
function redirectUriList(value: unknown, required: boolean): string[] {
  const fail = (description: string) => OAuthError.invalidRedirectUri(description);
  if (!present(value)) {
    if (required) throw fail('redirect_uris is required for the authorization_code grant.');
    return [];
  }
  if (!Array.isArray(value) || !value.every((uri) => typeof uri === 'string')) throw fail('redirect_uris must be an array of strings.');
  if (value.length === 0 && required) throw fail('redirect_uris is required for the authorization_code grant.');
  if (value.length > MAX_REDIRECT_URIS) throw fail(`redirect_uris must not list more than ${MAX_REDIRECT_URIS} URIs.`);
  for (const [index, uri] of (value as string[]).entries()) {
    if (uri.length > MAX_URI_LENGTH) throw fail(`redirect_uris[${index}] must not be longer than ${MAX_URI_LENGTH} characters.`);
    if (!wellFormed(uri) || uri.includes(',') || !isValidRedirectUri(uri)) {
      throw fail(
        `redirect_uris[${index}] is not a valid redirect URI: an absolute URI without a fragment, user information, whitespace or commas; javascript:, data: and file: URIs are refused.`,
      );
    }
  }
  return [...new Set(value as string[])];
}

/** RFC 7591 §2: space-separated scope values; each one declared, and never Passport's `*`. */
function scope(value: unknown, rules: MetadataRules): string | undefined {
  const raw = text('scope', value, MAX_URI_LENGTH);
  if (raw === undefined) return undefined;
  const scopes = [...new Set(raw.split(' ').filter(Boolean))];
  if (scopes.includes('*')) throw invalid('scope must not contain *: a registered client asks for declared scopes only.');
  const undeclared = scopes.find((candidate) => !rules.isDeclaredScope(candidate));
  if (undeclared !== undefined) {
    throw invalid(printable(undeclared) ? `scope names an undeclared scope: ${undeclared}.` : 'scope names an undeclared scope.');
  }
  return scopes.length > 0 ? scopes.join(' ') : undefined;
}

/** Links shown to users (RFC 7591 §2: client_uri, logo_uri, tos_uri, policy_uri): https only. */
function httpsUrl(field: string, value: unknown): string | undefined {
  const uri = text(field, value, MAX_URI_LENGTH);
  if (uri === undefined) return undefined;
  const authority = /^https:\/\/([^/?#]*)/i.exec(uri)?.[1];
  const ok = authority !== undefined && !authority.includes('@') && !/[\s\\]/.test(uri) && URL.canParse(uri) && new URL(uri).hostname !== '';
  if (!ok) throw invalid(`${field} must be an https URL.`);
  return uri;
}

function contacts(value: unknown): string[] | undefined {
  if (!present(value)) return undefined;
  const list = stringArray('contacts', value);
  if (list.length > MAX_CONTACTS) throw invalid(`contacts must not list more than ${MAX_CONTACTS} entries.`);
  const checked = list.map((contact, index) => text(`contacts[${index}]`, contact, MAX_NAME_LENGTH)).filter((contact) => contact !== undefined);
  return checked.length > 0 ? checked : undefined;
}

/**
 * A string field: no control characters (a NUL byte would be refused by PostgreSQL), valid
 * Unicode, at most `max` characters. Undefined when absent.
 */
function text(field: string, value: unknown, max: number): string | undefined {
  if (!present(value)) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  if (!wellFormed(value) || /\p{Cc}/u.test(value) || BIDI_CONTROLS.test(value)) throw invalid(`${field} must not contain control characters.`);
  if ([...value].length > max) throw invalid(`${field} must not be longer than ${max} characters.`);
  return value;
}

function stringArray(field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalid(`${field} must be an array of strings.`);
  return value as string[];
}

/** A lone UTF-16 surrogate cannot be stored as UTF-8. */
function wellFormed(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}

/** Short printable ASCII may be quoted back in a description; anything else is named by its field. */
function printable(value: string): boolean {
  return /^[\x21-\x7e]{1,64}$/.test(value);
}

/** RFC 7591 §2 leaves the default name to the server: the host of the first redirect URI (the scheme for a native app's), else a generic one. */
export function defaultClientName(redirectUris: readonly string[]): string {
  const first = redirectUris[0];
  if (first === undefined) return 'Unnamed client';
  const url = new URL(first);
  return url.hostname !== '' ? url.hostname : url.protocol.slice(0, -1);
}
