import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { presentTokenWithClient } from '../../presenters/token.js';
import type { Services } from '../../services.js';
import { HttpError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { TokenParams } from '../schemas/management.js';

/**
 * Passport's AuthorizedAccessTokenController: the applications a user has authorized. Tokens
 * of first-party clients (personal access and password clients) are not listed here.
 */
export function tokenRoutes(app: FastifyInstance, services: Services): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['OAuth management'];

  typed.get(
    '/oauth/tokens',
    { schema: { summary: 'Get all of the authorized tokens for the authenticated user.', tags }, preValidation: webGuard(services) },
    async (request) => {
      const tokens = await services.tokens.listAuthorized(currentUser(request).id);
      return tokens.map(({ token, client }) => presentTokenWithClient(token, client));
    },
  );

  typed.delete(
    '/oauth/tokens/:token_id',
    { schema: { summary: 'Delete the given token.', tags, params: TokenParams }, preValidation: webGuard(services) },
    async (request, reply) => {
      if (!(await services.tokens.revokeForUser(currentUser(request).id, request.params.token_id))) throw HttpError.notFound();
      return reply.status(204).send();
    },
  );
}
