import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { renderDashboardPage } from '../../web/pages/dashboard.js';
import { HttpError } from '../errors.js';
import { expectsJson, redirectToLogin, sessionUser } from '../plugins/session.js';
import { presentClient } from '../../presenters/client.js';
import { presentResource } from '../../presenters/resource.js';
import { presentTokenWithClient } from '../../presenters/token.js';
import { assetUrl } from './assets.js';
import { sendPage } from './web-auth.js';

/**
 * The dashboard page: the user's clients, resource servers, authorized applications and personal access tokens. The lists are rendered here from the same data and
 * presenters as the JSON management API, so the page is complete before its script runs; the
 * script then makes changes through that API with the session and the CSRF header.
 */
export function dashboardRoutes(app: FastifyInstance, services: Services): void {
  const { config } = services;

  app.get('/dashboard', { schema: { summary: 'The dashboard: OAuth clients, resource servers, authorized applications, personal access tokens', tags: ['web'] } }, async (request, reply) => {
    const user = await sessionUser(services, request);
    if (!user) {
      if (expectsJson(request)) throw HttpError.unauthenticated();
      return redirectToLogin(request, reply);
    }
    const data = await request.session.start();
    // The same use cases as GET /oauth/clients, /oauth/resources, /oauth/tokens and /oauth/personal-access-tokens.
    const [clients, resources, authorized, personal] = await Promise.all([
      services.clients.listForUser(user.id),
      services.resources.list({ userId: user.id }),
      services.tokens.listAuthorized(user.id),
      services.personalAccess.list(user.id),
    ]);
    const page = renderDashboardPage({
      appName: config.appName,
      csrfToken: data.csrfToken,
      userName: user.name,
      clients: clients.map(presentClient),
      resources: resources.map(presentResource),
      defaultTokenTtl: config.accessTokenTtl,
      authorized: authorized.map(({ token, client }) => presentTokenWithClient(token, client)),
      personalTokens: personal.map(({ token, client }) => presentTokenWithClient(token, client)),
      scopes: services.scopes.list(),
      script: assetUrl('dashboard.js'),
      stylesheet: assetUrl('dashboard.css'),
    });
    return sendPage(reply, 200, page);
  });
}
