import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfTokensMatch } from '../../accounts/csrf.js';
import type { UserProfile } from '../../accounts/ports.js';
import type { SessionData } from '../../accounts/sessions.js';
import type { AuthorizationRequest, AuthorizeValidation } from '../../oauth/authorize-request.js';
import { targetOf } from '../../oauth/authorize-request.js';
import { OAuthError } from '../../oauth/errors.js';
import type { ConsentPrompt } from '../../oauth/use-cases/authorize.js';
import type { Services } from '../../services.js';
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
 * The authorization endpoint (RFC 6749 §4.1): `GET` validates the request and asks the
 * user; `POST` approves, `DELETE` (or `POST` with `_method=DELETE`) denies.
 */
export async function authorizeRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { config, authorize } = services;

  app.get('/oauth/authorize', { schema: { summary: "Authorize a client to access the user's account.", tags: ['oauth'] }, config: { input: 'own' } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const user = await sessionUser(services, request);
    // As the reference shows: a JSON request without a session is 401 before anything else,
    // except prompt=none, which must answer the client (OIDC Core §3.1.2.6). So is the
    // reference's curl example, which sends only `Authorization: Bearer …`: a browser never
    // navigates with an Authorization header, so that is an API call, not a page request.
    const apiCall = expectsJson(request) || request.headers.authorization !== undefined;
    if (!user && apiCall && !String(query.prompt ?? '').split(' ').includes('none')) throw HttpError.unauthenticated();
    const validation = await authorize.validate(query);
    if (!validation.ok) return answerInvalid(request, reply, validation);
    const { request: authRequest, client } = validation;
    const data = await request.session.start();
    if (!user || needsFreshLogin(request, authRequest, data)) {
      if (authRequest.prompt.includes('none')) return reply.redirect(authorize.errorRedirect(targetOf(authRequest), OAuthError.loginRequired()), 302);
      return sendToLogin(request, reply, authRequest, user);
    }
    if (data.loginPrompt !== undefined) {
      delete data.loginPrompt;
      request.session.changed();
    }
    if (!(await authorize.needsConsent(authRequest, client, user.id))) return approve(request, reply, authRequest, user, data, 302);
    if (authRequest.prompt.includes('none')) return reply.redirect(authorize.errorRedirect(targetOf(authRequest), OAuthError.consentRequired()), 302);
    const prompt = await authorize.prepareConsent(authRequest, client);
    data.pendingAuthorization = { authToken: prompt.authToken, request: authRequest };
    request.session.changed();
    return sendPage(reply, 200, consentPage(data, user, prompt));
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
    if (choice === 'deny') return reply.redirect(authorize.deny(pending.request), 303);
    return approve(request, reply, pending.request, user, data, 303);
  }

  /** The success redirect (a code, or a token for the implicit grant), or an error page when the client went away meanwhile. */
  async function approve(request: FastifyRequest, reply: FastifyReply, authRequest: AuthorizationRequest, user: UserProfile, data: SessionData, status: 302 | 303) {
    const outcome = await authorize.approve(authRequest, { userId: user.id, authTime: data.authTime ?? null });
    if (!outcome.ok) return answerInvalid(request, reply, { ok: false, error: outcome.error });
    return reply.redirect(outcome.redirect, status);
  }

  /** RFC 6749 §4.1.2.1: errors about the client or its redirect URI are shown, never redirected. */
  async function answerInvalid(request: FastifyRequest, reply: FastifyReply, validation: AuthorizeValidation & { ok: false }) {
    if (validation.redirect) return reply.redirect(authorize.errorRedirect(validation.redirect, validation.error), 302);
    if (wantsJson(request)) throw validation.error;
    return sendPage(reply, validation.error.status, renderAuthorizeErrorPage(config.appName, validation.error));
  }

  function consentPage(data: SessionData, user: UserProfile, prompt: ConsentPrompt): string {
    return renderConsentPage({
      appName: config.appName,
      csrfToken: data.csrfToken,
      userName: user.name,
      clientName: prompt.client.name,
      clientId: prompt.client.id,
      state: prompt.request.state,
      authToken: prompt.authToken,
      scopes: prompt.scopes,
      resources: prompt.resources,
      redirectHost: prompt.redirectHost,
      unverified: prompt.unverified,
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

async function sendToLogin(request: FastifyRequest, reply: FastifyReply, authRequest: AuthorizationRequest, user: UserProfile | undefined) {
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
