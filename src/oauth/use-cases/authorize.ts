import { randomBytes } from 'node:crypto';
import type { AuthorizationRequest, AuthorizeValidation, RedirectTarget } from '../authorize-request.js';
import { authorizationRedirect, errorRedirect, issueAuthorizationCode, targetOf, validateAuthorizationRequest } from '../authorize-request.js';
import type { ClientDirectory } from '../client-directory.js';
import { OAuthError } from '../errors.js';
import type { AccessTokenRepository, AuthCodeRepository, Client, ClientOrigin, Resource } from '../ports.js';
import type { ResourceDirectory } from '../resource-indicators.js';
import { describeScope } from '../resource-indicators.js';
import type { Scope, ScopeRegistry } from '../scopes.js';
import { scopesCover } from '../scopes.js';
import type { TokenService } from '../token-service.js';

/** A consent screen waiting for the user's answer; `authToken` is single use and its forms must send it back. */
export interface ConsentPrompt {
  authToken: string;
  request: AuthorizationRequest;
  client: Client;
  /** The requested scopes with their descriptions, in request order. */
  scopes: Scope[];
  /** The resource servers the tokens will be for (RFC 8707), by name. */
  resources: Resource[];
  /** Where the browser goes afterwards: the host of the redirect URI (or its scheme, for a native app). */
  redirectHost: string;
  /**
   * For a client that introduced itself — a client ID metadata document, or dynamic
   * registration — whose name this server cannot vouch for: the host it speaks for (its
   * client_id URL, or its client_uri), if any. `origin` tells the two apart: the host of a
   * metadata document's URL is where the document was fetched from; a registered client's
   * client_uri is only its own claim.
   */
  unverified: { clientHost: string | null; origin: ClientOrigin } | null;
}

/** What to do with an approval: redirect to the client, or (client revoked meanwhile) show an error. */
export type ApprovalOutcome = { ok: true; redirect: string } | { ok: false; error: OAuthError };

/**
 * The authorization endpoint's decisions (RFC 6749 §4.1), kept in the core as league's
 * `validateAuthorizationRequest` → `completeAuthorizationRequest`: the HTTP layer only reads
 * the request, keeps the pending request in the session and presents pages and redirects.
 */
export interface AuthorizeUseCases {
  validate(query: Record<string, unknown>): Promise<AuthorizeValidation>;
  /** False when the request may be approved at once: a first-party client, or a live token already covering the scopes. */
  needsConsent(request: AuthorizationRequest, client: Client, userId: number): Promise<boolean>;
  prepareConsent(request: AuthorizationRequest, client: Client): Promise<ConsentPrompt>;
  /** Issues the code (or, for the implicit grant, the token) and returns where to send the browser. */
  approve(request: AuthorizationRequest, user: { userId: number; authTime: number | null }): Promise<ApprovalOutcome>;
  /** RFC 6749 §4.1.2.1 access_denied, sent back to the client. */
  deny(request: AuthorizationRequest): string;
  /** An error sent back to the client's redirect URI (`login_required`, `consent_required`, validation errors). */
  errorRedirect(target: RedirectTarget, error: OAuthError): string;
}

export interface AuthorizeDeps {
  clients: ClientDirectory;
  scopes: ScopeRegistry;
  resources: ResourceDirectory;
  tokens: TokenService;
  accessTokens: AccessTokenRepository;
  authCodes: AuthCodeRepository;
  settings: { issuer: string; implicitGrant: boolean; accessTokenTtl: number; authCodeTtl: number };
}

export function createAuthorizeUseCases(deps: AuthorizeDeps): AuthorizeUseCases {
  const { settings } = deps;
  const issuer = settings.issuer;
  return {
    validate: (query) =>
      validateAuthorizationRequest(query, { clients: deps.clients, scopes: deps.scopes, resources: deps.resources, implicitGrant: settings.implicitGrant }),

    async needsConsent(request, client, userId) {
      if (request.prompt.includes('consent')) return true;
      // A client that introduced itself (a metadata document, dynamic registration) is asked about every time.
      if (client.origin !== null) return true;
      if (client.skipsAuthorization) return false;
      // Passport's `hasValidToken`: a live token of this client covering the scopes (and resources) means consent was given.
      const tokens = await deps.accessTokens.listForUser(userId, { personal: false });
      const resources = request.resources ?? [];
      return !tokens.some(
        (token) => token.clientId === client.id && scopesCover(token.scopes, request.scopes) && resources.every((uri) => token.resources?.includes(uri)),
      );
    },

    async prepareConsent(request, client) {
      const audience = await deps.resources.resolve(request.resources);
      return {
        authToken: randomBytes(30).toString('base64url'),
        request,
        client,
        scopes: request.scopes.map((id) => ({ id, description: describeScope(deps.scopes, id, audience) })),
        resources: audience.resources,
        redirectHost: hostOf(request.redirectUri) ?? request.redirectUri,
        unverified:
          client.origin === null
            ? null
            : { clientHost: client.origin === 'cimd' ? hostOf(client.id) : hostOf(client.metadata?.client_uri), origin: client.origin },
      };
    },

    async approve(request, user) {
      // The client may have been revoked while the consent page was open.
      const client = await deps.clients.find(request.clientId);
      if (!client || client.revoked) return { ok: false, error: OAuthError.invalidClient() };
      const target = targetOf(request);
      if (request.responseType === 'token') {
        const audience = await deps.resources.resolve(request.resources ?? []);
        const ttl = audience.ttlSeconds ?? settings.accessTokenTtl;
        const { jwt } = await deps.tokens.issueAccessToken({ clientId: client.id, userId: user.userId, scopes: request.scopes, ttlSeconds: ttl, resources: audience.uris });
        return { ok: true, redirect: authorizationRedirect(target, { access_token: jwt, token_type: 'Bearer', expires_in: String(ttl) }, issuer) };
      }
      const code = await issueAuthorizationCode(request, {
        authCodes: deps.authCodes,
        userId: user.userId,
        authTime: user.authTime,
        ttlSeconds: settings.authCodeTtl,
      });
      return { ok: true, redirect: authorizationRedirect(target, { code }, issuer) };
    },

    deny: (request) => errorRedirect(targetOf(request), OAuthError.accessDenied(), issuer),
    errorRedirect: (target, error) => errorRedirect(target, error, issuer),
  };
}

/** The host a URI points to (`app.example.com`), or the scheme of a native app's URI (`com.example.app:`). */
function hostOf(uri: unknown): string | null {
  if (typeof uri !== 'string' || !URL.canParse(uri)) return null;
  const url = new URL(uri);
  return url.host !== '' ? url.host : url.protocol;
}
