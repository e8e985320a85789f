import { OAuthError } from '../../oauth/errors.js';
import type { DocResponse } from './doc-schemas.js';
import { EXAMPLE_CLIENT_ID, commonErrors, oauthError, responses } from './doc-schemas.js';
import type { JsonSchema } from './document.js';
import type { NotesContext, RouteNote } from './route-notes.js';

/** The documentation of dynamic client registration (RFC 7591, RFC 7592): its routes exist only when it is on. */

const string = (description: string): JsonSchema => ({ type: 'string', description });
const strings = (description: string): JsonSchema => ({ type: 'array', items: { type: 'string' }, description });

const METADATA: Record<string, JsonSchema> = {
  redirect_uris: strings('Redirect URIs, under the rules of every client (absolute, no fragment, no user information; loopback and native-app schemes allowed). Required with the authorization_code grant.'),
  client_name: { type: 'string', maxLength: 191, description: 'Shown on the consent page; default: the host of the first redirect URI.' },
  token_endpoint_auth_method: { type: 'string', enum: ['client_secret_basic', 'client_secret_post', 'none'], description: '`none`: a public client (PKCE required). Default `client_secret_basic`: a confidential client with a secret.' },
  grant_types: strings('Default `["authorization_code"]`. Of `authorization_code`, `refresh_token`, `client_credentials` (confidential clients), `urn:ietf:params:oauth:grant-type:device_code`; `refresh_token` is added to grants that issue refresh tokens.'),
  response_types: strings('`["code"]` with authorization_code (the default), else `[]`.'),
  scope: string('Space-separated scopes the client will use, declared by this server or by a registered resource.'),
  client_uri: string('https URL of the client’s home page.'),
  logo_uri: string('https URL of the client’s logo.'),
  tos_uri: string('https URL of the terms of service.'),
  policy_uri: string('https URL of the privacy policy.'),
  contacts: strings('Ways to reach the people responsible for the client.'),
  software_id: string('Identifies the client software across registrations.'),
  software_version: string('The version of the client software.'),
};

const EXAMPLE_METADATA = {
  client_name: 'Notes MCP client',
  redirect_uris: ['http://127.0.0.1:33418/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

function clientInformation(appUrl: string, description: string, withSecret: boolean): DocResponse {
  const credentials: Record<string, JsonSchema> = {
    client_id: string('The new client id.'),
    ...(withSecret ? { client_secret: string('Confidential clients only, and only in this answer.') } : {}),
    client_id_issued_at: { type: 'integer', description: 'Unix seconds.' },
    client_secret_expires_at: { type: 'integer', description: 'Confidential clients: 0 (never).' },
    registration_access_token: string('The bearer token of `registration_client_uri` (RFC 7592).'),
    registration_client_uri: string('Where the client reads, updates and deletes its registration.'),
  };
  const example = {
    client_id: EXAMPLE_CLIENT_ID,
    client_id_issued_at: 1795449310,
    registration_access_token: 'kq3U0zX6N1v8bJ2sPq9rTt4wYy7cDd5eFf0gHh1iJj2',
    registration_client_uri: `${appUrl}/oauth/register/${EXAMPLE_CLIENT_ID}`,
    ...EXAMPLE_METADATA,
  };
  return { ...responses.json(description, example), properties: { ...credentials, ...METADATA }, required: ['client_id', 'registration_access_token', 'registration_client_uri'] };
}

const invalidMetadata = (): DocResponse => ({
  ...oauthError(OAuthError.invalidRedirectUri('redirect_uris is required for the authorization_code grant.'), 'RFC 7591 §3.2.2: `invalid_redirect_uri` or `invalid_client_metadata`, the field and the rule in `error_description`.'),
});

const invalidToken = (what: string): DocResponse => ({
  ...oauthError(OAuthError.invalidToken(what), 'The bearer token is missing, unknown, expired or revoked (`WWW-Authenticate: Bearer error="invalid_token"`).'),
});

export function registrationNotes(context: NotesContext): Record<string, RouteNote> {
  const mode = context.dynamicRegistration ?? 'off';
  if (mode === 'off') return {};
  const body: JsonSchema = { type: 'object', properties: METADATA };
  const managed: RouteNote = { access: { kind: 'registration' } };
  const registrationToken = invalidToken('The registration access token is missing or invalid.');
  return {
    'POST /oauth/register': {
      access: mode === 'token' ? { kind: 'registration' } : { kind: 'public' },
      description:
        'RFC 7591 §3: registers a client owned by nobody (it appears in `authgate client:list`, in no user’s dashboard). ' +
        (mode === 'token' ? 'Needs `Authorization: Bearer <initial access token>` (`authgate registration-token:create`). ' : 'Open to anyone (OAUTH_DYNAMIC_REGISTRATION=open). ') +
        'A JSON body; unknown fields are ignored. The answer is the only time the secret is shown. Rate limited per address (DYNAMIC_REGISTRATION_RATE_LIMIT).',
      body,
      bodyExample: { ...EXAMPLE_METADATA },
      responses: {
        201: clientInformation(context.appUrl, 'The registered client (RFC 7591 §3.2.1).', true),
        400: invalidMetadata(),
        ...(mode === 'token' ? { 401: invalidToken('The initial access token is missing, invalid, expired or revoked.') } : {}),
        429: commonErrors.tooMany(),
      },
    },
    'GET /oauth/register/{client_id}': {
      ...managed,
      description: 'RFC 7592 §2.1: the current registration, for the bearer of its registration access token (the secret is not shown again).',
      responses: { 200: clientInformation(context.appUrl, 'The registration.', false), 401: registrationToken },
    },
    'PUT /oauth/register/{client_id}': {
      ...managed,
      description:
        'RFC 7592 §2.2: replaces the registered metadata; fields left out are removed or take their defaults. The body carries the same `client_id` (and the secret, if sent, must match). A client cannot change between public and confidential.',
      body: { type: 'object', required: ['client_id'], properties: { client_id: string('The client being updated.'), ...METADATA } },
      bodyExample: { client_id: EXAMPLE_CLIENT_ID, ...EXAMPLE_METADATA },
      responses: { 200: clientInformation(context.appUrl, 'The updated registration.', false), 400: invalidMetadata(), 401: registrationToken },
    },
    'DELETE /oauth/register/{client_id}': {
      ...managed,
      description: 'RFC 7592 §2.3: revokes the client and every token issued to it.',
      responses: { 204: responses.empty('Deleted.'), 401: registrationToken },
    },
  };
}
