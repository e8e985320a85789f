import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfTokensMatch } from '../../accounts/csrf.js';
import type { PendingAuthorization, SessionData } from '../../accounts/sessions.js';
import type { AuthorizationRequest, AuthorizeValidation } from '../../oauth/authorize-request.js';
import { authorizationRedirect, errorRedirect, issueAuthorizationCode, targetOf, validateAuthorizationRequest } from '../../oauth/authorize-request.js';
import { OAuthError } from '../../oauth/errors.js';
import type { Client } from '../../oauth/ports.js';
import { scopesCover } from '../../oauth/scopes.js';
import type { Services } from '../../services.js';
import type { StoredUser } from '../../storage/repositories/user-repository.js';
import { wantsJson } from '../../web/error-page.js';
import { renderAuthorizeErrorPage } from '../../web/pages/authorize-error.js';
import { renderConsentPage } from '../../web/pages/consent.js';
import { HttpError } from '../errors.js';
import { csrfValid, expectsJson, redirectToLogin, sessionUser } from '../plugins/session.js';
import { sendPage } from './web-auth.js';

/** Passport's InvalidAuthTokenException wording. */
const INVALID_AUTH_TOKEN = 'The provided auth token for the request is different from the session auth token.';

type Answer = 'approve' | 'deny';

/**
 * The authorization endpoint (RFC 6749 §4.1, SPEC §6): `GET` validates the request and asks the
 * user; `POST` approves, `DELETE` (or `POST` with `_method=DELETE`) denies.
 */
export async function authorizeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const issuer = config.appUrl;

  app.get('/oauth/authorize', { schema: { summary: "Authorize a client to access the user's account.", tags: ['oauth'] } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const user = await sessionUser(services, request);
    // As the reference shows: a JSON request without a session is 401 before anything else,
    // except prompt=none, which must answer the client (OIDC Core §3.1.2.6). So is the
    // reference's curl example, which sends only `Authorization: Bearer …`: a browser never
    // navigates with an Authorization header, so that is an API call, not a page request.
    const apiCall = expectsJson(request) || request.headers.authorization !== undefined;
    if (!user && apiCall && !String(query.prompt ?? '').split(' ').includes('none')) throw HttpError.unauthenticated();
    const validation = await validateAuthorizationRequest(query, { clients: services.clients, scopes: services.scopes, implicitGrant: config.implicitGrant });
    if (!validation.ok) return answerInvalid(request, reply, validation);
    const { request: authRequest, client } = validation;
    const data = await request.session.start();
    if (!user || needsFreshLogin(request, authRequest, data)) {
      if (authRequest.prompt.includes('none')) return reply.redirect(errorRedirect(targetOf(authRequest), OAuthError.loginRequired(), issuer), 302);
      return sendToLogin(request, reply, authRequest, user);
    }
    if (data.loginPrompt !== undefined) {
      delete data.loginPrompt;
      request.session.changed();
    }
    if (!authRequest.prompt.includes('consent') && (client.skipsAuthorization || (await hasLiveToken(user, client, authRequest.scopes)))) {
      return reply.redirect(await approve(authRequest, user, data), 302);
    }
    if (authRequest.prompt.includes('none')) return reply.redirect(errorRedirect(targetOf(authRequest), OAuthError.consentRequired(), issuer), 302);
    const pending: PendingAuthorization = { authToken: randomBytes(30).toString('base64url'), request: authRequest };
    data.pendingAuthorization = pending;
    request.session.changed();
    return sendPage(reply, 200, consentPage(data, user, client, pending));
  });

  app.post('/oauth/authorize', { schema: { summary: 'Approve the authorization request.', tags: ['oauth'] } }, async (request, reply) => {
    return answer(request, reply, bodyField(request, '_method')?.toUpperCase() === 'DELETE' ? 'deny' : 'approve');
  });

  app.delete('/oauth/authorize', { schema: { summary: 'Deny the authorization request.', tags: ['oauth'] } }, async (request, reply) => answer(request, reply, 'deny'));

  /** The consent forms' target: CSRF first (419), then the session (401), then the one-time auth token (403). */
  async function answer(request: FastifyRequest, reply: FastifyReply, choice: Answer) {
    if (!(await csrfValid(request))) throw HttpError.csrfMismatch();
    const user = await sessionUser(services, request);
    if (!user) throw HttpError.unauthenticated();
    const data = (await request.session.get()) as SessionData;
    const pending = data.pendingAuthorization;
    const clientId = bodyField(request, 'client_id');
    if (!pending || !csrfTokensMatch(pending.authToken, bodyField(request, 'auth_token')) || (clientId !== undefined && clientId !== pending.request.clientId)) {
      throw HttpError.forbidden(INVALID_AUTH_TOKEN);
    }
    // Single use, whatever the answer.
    delete data.pendingAuthorization;
    request.session.changed();
    const authRequest = pending.request;
    if (choice === 'deny') return reply.redirect(errorRedirect(targetOf(authRequest), OAuthError.accessDenied(), issuer), 303);
    // The client may have been revoked while the consent page was open.
    const client = await services.clients.find(authRequest.clientId);
    if (!client || client.revoked) return answerInvalid(request, reply, { ok: false, error: OAuthError.invalidClient() });
    return reply.redirect(await approve(authRequest, user, data), 303);
  }

  /** Passport's `hasValidToken`: a live token of this client already covering the scopes means consent was given. */
  async function hasLiveToken(user: StoredUser, client: Client, scopes: string[]): Promise<boolean> {
    const tokens = await services.repositories.accessTokens.listForUser(user.id, { personal: false });
    return tokens.some((token) => token.clientId === client.id && scopesCover(token.scopes, scopes));
  }

  /** The success redirect: a code (or, for the implicit grant, a token in the fragment), with `state` and `iss`. */
  async function approve(authRequest: AuthorizationRequest, user: StoredUser, data: SessionData): Promise<string> {
    if (authRequest.responseType === 'token') {
      const { jwt } = await services.tokens.issueAccessToken({ clientId: authRequest.clientId, userId: user.id, scopes: authRequest.scopes, ttlSeconds: config.accessTokenTtl });
      return authorizationRedirect(targetOf(authRequest), { access_token: jwt, token_type: 'Bearer', expires_in: String(config.accessTokenTtl) }, issuer);
    }
    const code = await issueAuthorizationCode(authRequest, {
      authCodes: services.repositories.authCodes,
      userId: user.id,
      authTime: data.authTime ?? null,
      ttlSeconds: config.authCodeTtl,
    });
    return authorizationRedirect(targetOf(authRequest), { code }, issuer);
  }

  /** RFC 6749 §4.1.2.1: errors about the client or its redirect URI are shown, never redirected. */
  async function answerInvalid(request: FastifyRequest, reply: FastifyReply, validation: AuthorizeValidation & { ok: false }) {
    if (validation.redirect) return reply.redirect(errorRedirect(validation.redirect, validation.error, issuer), 302);
    if (wantsJson(request)) throw validation.error;
    return sendPage(reply, validation.error.status, renderAuthorizeErrorPage(config.appName, validation.error));
  }

  function consentPage(data: SessionData, user: StoredUser, client: Client, pending: PendingAuthorization): string {
    return renderConsentPage({
      appName: config.appName,
      csrfToken: data.csrfToken,
      userName: user.name,
      clientName: client.name,
      clientId: client.id,
      state: pending.request.state,
      authToken: pending.authToken,
      scopes: pending.request.scopes.map((id) => ({ id, description: services.scopes.describe(id) })),
    });
  }
}

/**
 * OIDC Core §3.1.2.1 `prompt=login`: the user must log in again. The session remembers which
 * request prompted and when; only a login after that prompt, coming back to that request,
 * satisfies it.
 */
function needsFreshLogin(request: FastifyRequest, authRequest: AuthorizationRequest, data: SessionData): boolean {
  if (!authRequest.prompt.includes('login')) return false;
  const prompt = data.loginPrompt;
  return prompt === undefined || prompt.url !== request.url || (data.authTime ?? 0) < prompt.at;
}

async function sendToLogin(request: FastifyRequest, reply: FastifyReply, authRequest: AuthorizationRequest, user: StoredUser | undefined) {
  if (authRequest.prompt.includes('login')) {
    // Log the current user out: the next login must be a fresh one.
    const data = user ? await request.session.regenerate() : await request.session.start();
    delete data.userId;
    delete data.authTime;
    delete data.pendingAuthorization;
    data.loginPrompt = { url: request.url, at: Math.floor(Date.now() / 1000) };
    request.session.changed();
  }
  return redirectToLogin(request, reply);
}

function bodyField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body;
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
