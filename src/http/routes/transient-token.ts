import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { webGuard } from '../plugins/authentication.js';
import { headerCsrfToken, refreshApiCookie } from '../plugins/session.js';

/**
 * `POST /oauth/token/refresh` (Passport's TransientTokenController): a fresh `laravel_token`
 * for a page that stays open longer than the cookie lives. A management route: CSRF (419)
 * first, then the session (401).
 */
export async function transientTokenRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.post(
    '/oauth/token/refresh',
    { schema: { summary: 'Get a fresh transient token cookie for the authenticated user.', tags: ['oauth'] }, preHandler: webGuard(services) },
    async (request, reply) => {
      const user = request.identity?.user;
      // The cookie is bound to the session's CSRF token; a caller known by the API cookie alone
      // proved it holds that token in its header.
      const csrfToken = (await request.session.get())?.csrfToken ?? (request.identity?.via === 'cookie' ? headerCsrfToken(request) : undefined);
      if (user && csrfToken) await refreshApiCookie(reply, user.id, csrfToken);
      return reply.type('text/plain; charset=utf-8').send('Refreshed.');
    },
  );
}
