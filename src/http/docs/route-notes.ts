import { HttpError } from '../errors.js';
import type { DocResponse } from './doc-schemas.js';
import { EXAMPLE_CLIENT_ID, commonErrors, messageError, responses, validationError } from './doc-schemas.js';
import type { JsonSchema } from './document.js';
import type { Grant } from '../../oauth/grants/index.js';
import { registrationNotes } from './registration-notes.js';

/**
 * What the route schemas cannot say: who may call a route, a longer description, the request
 * parts a handler reads by hand, and the responses of routes that answer through presenters.
 * Keyed by `METHOD /openapi/{path}`; applied by the OpenAPI transform, never to the routes.
 * A route's own schema wins wherever it says something.
 */

/** Who may call a route (session, API cookie, bearer token, client credentials); becomes the operation's `security` and its 401/403/419 answers. */
export type Access =
  | { kind: 'public' }
  /** OAuth client authentication: HTTP Basic, or client_id/client_secret in the body. */
  | { kind: 'client' }
  /** `/api/*`: a bearer token (or the API cookie with its CSRF header), holding `scopes`. */
  | { kind: 'api'; scopes?: string[] }
  /** Passport's management routes: the session, the API cookie, or a user token carrying `*`. */
  | { kind: 'management' }
  /** Browser routes of the session; state-changing ones need the CSRF token too. */
  | { kind: 'session' }
  /** No user yet, but the CSRF token of the page's session (the login form). */
  | { kind: 'csrf' }
  /** Dynamic registration's bearer tokens: an initial access token (RFC 7591 §3) or a registration access token (RFC 7592). */
  | { kind: 'registration' };

export interface RouteNote {
  summary?: string;
  description?: string;
  access?: Access;
  querystring?: JsonSchema;
  body?: JsonSchema;
  consumes?: string[];
  /** A request body example, where the schema's properties alone would not make a meaningful request. */
  bodyExample?: Record<string, unknown>;
  responses?: Record<string, DocResponse>;
}

export interface NotesContext {
  appUrl: string;
  /** The enabled grants of the token endpoint, as the registry describes them. */
  grants: readonly Pick<Grant, 'grantType' | 'summary'>[];
  scopes: { id: string; description: string }[];
  implicitGrant: boolean;
  jwks: unknown;
  /** OAUTH_DYNAMIC_REGISTRATION: its routes are documented when they exist. */
  dynamicRegistration?: 'off' | 'open' | 'token';
}

const FORM = ['application/x-www-form-urlencoded', 'application/json'];
const page = (description: string): DocResponse => responses.text(description, '<!doctype html>…', 'text/html');
const optionalString = (description: string, examples?: unknown[]): JsonSchema => ({ type: 'string', description, ...(examples ? { examples } : {}) });

/** RFC 7636 Appendix B's verifier and S256 challenge: a pair that works as written. */
const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const CONSENT_FORM: JsonSchema = {
  type: 'object',
  required: ['_token', 'auth_token'],
  properties: {
    _token: optionalString('The CSRF token of the session (or the X-CSRF-TOKEN header).'),
    state: optionalString('The `state` of the pending request.', ['af0ifjsldkj']),
    client_id: optionalString('The client id of the pending request.', [EXAMPLE_CLIENT_ID]),
    auth_token: optionalString('The one-time value of the consent page, bound to the session and the pending request.'),
  },
};

export function routeNotes(context: NotesContext): Record<string, RouteNote> {
  return {
    ...authorizeNotes(context),
    ...tokenEndpointNotes(context),
    ...managementNotes(context),
    ...applicationNotes(),
    ...otherNotes(context),
    ...registrationNotes(context),
  };
}

function authorizeNotes(context: NotesContext): Record<string, RouteNote> {
  const responseTypes = context.implicitGrant ? ['code', 'token'] : ['code'];
  return {
    'GET /oauth/authorize': {
      access: { kind: 'session' },
      description:
        'The authorization endpoint (RFC 6749 §4.1.1, PKCE RFC 7636). A logged-in user sees the consent page, unless the client is first-party or already holds a live token covering the scopes (then the code is issued at once). A visitor who is not logged in is sent to `/login` and back (a JSON request gets 401). An unknown client or an unregistered `redirect_uri` is answered here and never redirected.',
      querystring: {
        type: 'object',
        required: ['response_type', 'client_id'],
        properties: {
          response_type: { type: 'string', enum: responseTypes, description: '`code` (`token` only with OAUTH_IMPLICIT_GRANT=true).' },
          client_id: { type: 'string', format: 'uuid', description: 'The client id.' },
          redirect_uri: { type: 'string', format: 'uri', description: 'Exactly one of the registered URIs; may be left out when the client has one.', examples: ['https://app.example.com/callback'] },
          scope: optionalString('Space-separated scopes.', ['users:read']),
          state: optionalString('An opaque value returned unchanged with the answer.', ['af0ifjsldkj']),
          code_challenge: optionalString('The PKCE challenge (RFC 7636); required for public clients.', [PKCE_CHALLENGE]),
          code_challenge_method: { type: 'string', enum: ['S256', 'plain'], description: '`S256` (required for public clients) or `plain`.', examples: ['S256'] },
          nonce: optionalString('OpenID Connect: echoed in the ID token.'),
          prompt: { type: 'string', enum: ['none', 'login', 'consent'], description: 'OpenID Connect: `none`, `login` or `consent`.' },
        },
      },
      responses: {
        200: page('The consent page.'),
        302: responses.redirect('To `redirect_uri` with `code`, `state` and `iss` (RFC 9207), or with an `error`; or to `/login`.'),
        401: commonErrors.unauthenticated(),
      },
    },
    'POST /oauth/authorize': {
      access: { kind: 'session' },
      description: 'The consent page’s Authorize button: redirects (303) to `redirect_uri?code=…&state=…&iss=…`. A missing or wrong `auth_token` is 403 and issues nothing. `_method=DELETE` denies instead.',
      body: CONSENT_FORM,
      consumes: FORM,
      responses: {
        303: responses.redirect('To `redirect_uri` with `code`, `state` and `iss`.'),
        403: messageError(HttpError.forbidden('The provided auth token for the request is different from the session auth token.'), 'The auth_token does not match the pending request.'),
      },
    },
    'DELETE /oauth/authorize': {
      access: { kind: 'session' },
      description: 'The consent page’s Cancel button: redirects (303) to `redirect_uri` with `error=access_denied`, `state` and `iss`.',
      body: CONSENT_FORM,
      consumes: FORM,
      responses: { 303: responses.redirect('To `redirect_uri` with `error=access_denied`.') },
    },
  };
}

function tokenEndpointNotes(context: NotesContext): Record<string, RouteNote> {
  const grants = context.grants.map((grant) => `\`${grant.grantType}\`: ${grant.summary}`).join(' ');
  const userInfo: RouteNote = {
    access: { kind: 'api', scopes: ['openid'] },
    summary: 'OpenID Connect UserInfo',
    description: 'OpenID Connect Core §5.3: claims about the user of an access token issued with `openid`; `name` with `profile`, `email` with `email`.',
  };
  return {
    'POST /oauth/token': {
      access: { kind: 'client' },
      description:
        `The token endpoint (RFC 6749 §3.2). Grants: ${grants} Answers are never cached. Rate limited per address (TOKEN_RATE_LIMIT).`,
      bodyExample: { grant_type: 'client_credentials', client_id: EXAMPLE_CLIENT_ID, client_secret: 'your-client-secret', scope: 'users:read' },
      responses: {
        400: {
          ...responses.json('An OAuth error (`invalid_request`, `invalid_grant`, `invalid_scope`, `unsupported_grant_type`, …).', {
            error: 'unsupported_grant_type',
            error_description: 'The authorization grant type is not supported by the authorization server.',
            hint: 'Check that all required parameters have been provided',
            message: 'The authorization grant type is not supported by the authorization server.',
          }),
        },
        401: commonErrors.invalidClient(),
        429: commonErrors.tooMany(),
      },
    },
    'POST /oauth/revoke': {
      access: { kind: 'client' },
      description: 'RFC 7009: revokes an access or refresh token of the calling client (and the tokens of its grant). Always 200, also for an unknown token; a public client may revoke its own tokens.',
      bodyExample: { token: 'the-refresh-token', token_type_hint: 'refresh_token', client_id: EXAMPLE_CLIENT_ID, client_secret: 'your-client-secret' },
      responses: { 200: responses.empty('Revoked, or nothing to revoke.'), 401: commonErrors.invalidClient() },
    },
    'POST /oauth/introspect': {
      access: { kind: 'client' },
      description: 'RFC 7662: the state of a token of the calling (confidential) client.',
      bodyExample: { token: 'the-access-token', client_id: EXAMPLE_CLIENT_ID, client_secret: 'your-client-secret' },
      responses: { 200: responses.introspection(), 401: commonErrors.invalidClient() },
    },
    'POST /oauth/token/refresh': {
      access: { kind: 'management' },
      description: 'Passport’s TransientTokenController: sets a fresh `laravel_token` cookie for a page that stays open longer than the cookie lives.',
      responses: { 200: responses.text('A fresh `laravel_token` cookie is set.', 'Refreshed.') },
    },
    'POST /oauth/device/code': {
      access: { kind: 'client' },
      summary: 'Start a device authorization (RFC 8628)',
      description: 'RFC 8628 §3.1: a device code for the client to poll `POST /oauth/token` with, and a user code for the user to enter at `/oauth/device`.',
      bodyExample: { client_id: EXAMPLE_CLIENT_ID, scope: 'users:read' },
    },
    'GET /oauth/userinfo': userInfo,
    'POST /oauth/userinfo': userInfo,
  };
}

function managementNotes(context: NotesContext): Record<string, RouteNote> {
  const management: Access = { kind: 'management' };
  const clientInvalid = validationError({ name: ['The name field is required.'], redirect: ['The redirect field is required.'] });
  const passport = ' Beyond Passport, a user’s bearer token carrying `*` is accepted too.';
  return {
    'GET /oauth/clients': { access: management, description: 'The user’s clients that are not revoked, by name. Secrets are never shown.' + passport, responses: { 200: responses.clientList() } },
    'POST /oauth/clients': {
      access: management,
      description: 'Registers a client owned by the user. A confidential client gets a secret of 40 random characters, returned this once as `plainSecret` and `secret`; a public client (`confidential: false`) gets none and must use PKCE.',
      responses: { 201: responses.newClient(), 422: clientInvalid },
    },
    'PUT /oauth/clients/{client_id}': {
      access: management,
      description: 'Renames the client and replaces its redirect URIs.',
      responses: { 200: responses.client('The updated client (without its secret).'), 404: commonErrors.notFound(), 422: clientInvalid },
    },
    'DELETE /oauth/clients/{client_id}': {
      access: management,
      description: 'Revokes the client and every token issued to it.',
      responses: { 204: responses.empty('Revoked.'), 404: commonErrors.notFound() },
    },
    'GET /oauth/tokens': {
      access: management,
      description: 'The applications the user authorized: live tokens of third-party clients, each with its client.',
      responses: { 200: responses.tokenList('The user’s authorized tokens.', false) },
    },
    'DELETE /oauth/tokens/{token_id}': {
      access: management,
      description: 'Revokes the token and its refresh tokens.',
      responses: { 204: responses.empty('Revoked.'), 404: commonErrors.notFound() },
    },
    'GET /oauth/scopes': { access: management, description: 'Every declared scope with its description.', responses: { 200: responses.scopes(context.scopes) } },
    'GET /oauth/personal-access-tokens': {
      access: management,
      description: 'The user’s live personal access tokens.',
      responses: { 200: responses.tokenList('The user’s personal access tokens.', true) },
    },
    'POST /oauth/personal-access-tokens': {
      access: management,
      description: 'Issues a personal access token (a JWT valid for PERSONAL_ACCESS_TOKEN_TTL) with declared scopes. The token is shown only in this answer.',
      responses: { 200: responses.personalAccessToken(), 422: validationError({ name: ['The name field is required.'] }) },
    },
    'DELETE /oauth/personal-access-tokens/{token_id}': {
      access: management,
      description: 'Revokes the personal access token.',
      responses: { 204: responses.empty('Revoked.'), 404: commonErrors.notFound() },
    },
  };
}

function applicationNotes(): Record<string, RouteNote> {
  const emailTaken = validationError({ email: ['The email has already been taken.'] });
  return {
    'POST /api/users': {
      access: { kind: 'public' },
      description: 'Registers a user (unless REGISTRATION=closed: 403). Rate limited per address (REGISTER_RATE_LIMIT).',
      responses: { 403: messageError(HttpError.forbidden(), 'Registration is closed.'), 422: emailTaken, 429: commonErrors.tooMany() },
    },
    'POST /api/login': {
      access: { kind: 'public' },
      description: 'Exchanges email and password for a personal access token named `device_name` (default `login`) with `scopes` (default `["*"]`). Five failures a minute for one email and address: 429.',
      responses: { 422: validationError({ email: ['These credentials do not match our records.'] }), 429: commonErrors.tooMany() },
    },
    'GET /api/user': { access: { kind: 'api' }, description: 'The user of the token.' },
    'GET /api/users': {
      access: { kind: 'api', scopes: ['users:read'] },
      description:
        'Users whose name contains `name`, case-insensitively, as Laravel’s paginator. A user token or a client credentials token holding `users:read`. `name` may also be sent as a JSON body, as the original API did.',
      responses: { 422: validationError({ name: ['The name field is required.'] }) },
    },
    'POST /api/v1/user/store': {
      access: { kind: 'api', scopes: ['users:write'] },
      description: 'Creates a user. A user token or a client credentials token holding `users:write`.',
      responses: { 422: emailTaken },
    },
  };
}

function otherNotes(context: NotesContext): Record<string, RouteNote> {
  const publicRoute: Access = { kind: 'public' };
  return {
    'GET /.well-known/oauth-authorization-server': { access: publicRoute, description: 'RFC 8414 authorization server metadata.', responses: { 200: responses.json('The metadata.', { issuer: context.appUrl, token_endpoint: `${context.appUrl}/oauth/token` }) } },
    'GET /.well-known/openid-configuration': { access: publicRoute, description: 'OpenID Connect Discovery 1.0: the same metadata.', responses: { 200: responses.json('The metadata.', { issuer: context.appUrl, token_endpoint: `${context.appUrl}/oauth/token` }) } },
    'GET /oauth/jwks': { access: publicRoute, description: 'The public keys that verify access and ID tokens, each with its `kid` (RFC 7517).', responses: { 200: responses.json('The JWK set.', context.jwks) } },
    'DELETE /_debugbar/cache/{key}/{tags}': {
      access: publicRoute,
      description: 'laravel-debugbar’s cache route: forgets `key` (within the comma-separated `tags`, which may be left out) in the application cache. Exists only when APP_DEBUG=true.',
      responses: { 200: responses.json('Whether the key was there.', { success: true }) },
    },
    'GET /login': { access: publicRoute, responses: { 200: page('The login page.') } },
    'POST /login': {
      access: { kind: 'csrf' },
      description: 'The login form: `email`, `password` and `_token`. Redirects back to the page that sent the visitor to log in.',
      body: { type: 'object', required: ['email', 'password', '_token'], properties: { email: { type: 'string', format: 'email' }, password: { type: 'string' }, _token: optionalString('The CSRF token of the login page.') } },
      consumes: ['application/x-www-form-urlencoded'],
      responses: { 302: responses.redirect('Logged in, or back to the form with its errors.') },
    },
    'POST /logout': { access: { kind: 'session' }, description: 'Destroys the session and clears its cookies.', responses: { 302: responses.redirect('To the home page.') } },
    'GET /register': { access: publicRoute, responses: { 200: page('The registration page.') } },
    'POST /register': {
      access: { kind: 'csrf' },
      description: 'The registration form: the rules of `POST /api/users`; the new user is logged in.',
      responses: { 302: responses.redirect('Registered and logged in, or back to the form with its errors.') },
    },
    'GET /dashboard': { access: { kind: 'session' }, description: 'The user’s OAuth clients, authorized applications and personal access tokens.', responses: { 200: page('The dashboard.') } },
    'GET /oauth/device': { access: { kind: 'session' }, description: 'RFC 8628 §3.3: the page where a logged-in user enters the code shown on the device.', responses: { 200: page('The code page.') } },
    'POST /oauth/device': { access: { kind: 'session' }, description: 'Looks up the entered `user_code`, then approves or denies it (`action`).', responses: { 200: page('The confirmation, or the result.') } },
  };
}
