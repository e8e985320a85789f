import { randomBytes } from 'node:crypto';
import type { AuthorizationRequest, AuthorizeValidation, RedirectTarget } from '../authorize-request.js';
import { authorizationRedirect, errorRedirect, issueAuthorizationCode, targetOf, validateAuthorizationRequest } from '../authorize-request.js';
import type { ClientDirectory } from '../client-directory.js';
import { OAuthError } from '../errors.js';
import type { AccessTokenRepository, AuthCodeRepository, Client } from '../ports.js';
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
  prepareConsent(request: AuthorizationRequest, client: Client): ConsentPrompt;
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
  tokens: TokenService;
  accessTokens: AccessTokenRepository;
  authCodes: AuthCodeRepository;
  settings: { issuer: string; implicitGrant: boolean; accessTokenTtl: number; authCodeTtl: number };
}

export function createAuthorizeUseCases(deps: AuthorizeDeps): AuthorizeUseCases {
  const { settings } = deps;
  const issuer = settings.issuer;
  return {
    validate: (query) => validateAuthorizationRequest(query, { clients: deps.clients, scopes: deps.scopes, implicitGrant: settings.implicitGrant }),

    async needsConsent(request, client, userId) {
      if (request.prompt.includes('consent')) return true;
      if (client.skipsAuthorization) return false;
      // Passport's `hasValidToken`: a live token of this client covering the scopes means consent was given.
      const tokens = await deps.accessTokens.listForUser(userId, { personal: false });
      return !tokens.some((token) => token.clientId === client.id && scopesCover(token.scopes, request.scopes));
    },

    prepareConsent(request, client) {
      return {
        authToken: randomBytes(30).toString('base64url'),
        request,
        client,
        scopes: request.scopes.map((id) => ({ id, description: deps.scopes.describe(id) })),
      };
    },

    async approve(request, user) {
      // The client may have been revoked while the consent page was open.
      const client = await deps.clients.find(request.clientId);
      if (!client || client.revoked) return { ok: false, error: OAuthError.invalidClient() };
      const target = targetOf(request);
      if (request.responseType === 'token') {
        const { jwt } = await deps.tokens.issueAccessToken({ clientId: client.id, userId: user.userId, scopes: request.scopes, ttlSeconds: settings.accessTokenTtl });
        return { ok: true, redirect: authorizationRedirect(target, { access_token: jwt, token_type: 'Bearer', expires_in: String(settings.accessTokenTtl) }, issuer) };
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
