import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { webGuard } from '../plugins/authentication.js';

/** `GET /oauth/scopes` (Passport's ScopeController): every declared scope, in declaration order. */
export function scopeRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/oauth/scopes',
    {
      schema: { summary: 'Get all of the available scopes for the application.', tags: ['OAuth management'] },
      preValidation: webGuard(services),
    },
    async () => services.scopes.list().map(({ id, description }) => ({ id, description })),
  );
}
