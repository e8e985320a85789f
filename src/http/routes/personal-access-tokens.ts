import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { presentTokenWithClient } from '../../presenters/token.js';
import type { Services } from '../../services.js';
import { HttpError, ValidationError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { TokenParams, emptyBodyAsForm, personalAccessTokenBody } from '../schemas/management.js';

/** Passport's PersonalAccessTokenController: list, create and revoke a user's personal access tokens. */
export function personalAccessTokenRoutes(app: FastifyInstance, services: Services): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['OAuth management'];
  const guard = webGuard(services);
  const body = personalAccessTokenBody(services.scopes.list().map((scope) => scope.id));

  typed.get(
    '/oauth/personal-access-tokens',
    { schema: { summary: 'Get all of the personal access tokens for the authenticated user.', tags }, preValidation: guard },
    async (request) => {
      const tokens = await services.personalAccess.list(currentUser(request).id);
      return tokens.map(({ token, client }) => presentTokenWithClient(token, client));
    },
  );

  typed.post(
    '/oauth/personal-access-tokens',
    {
      schema: { summary: 'Create a new personal access token for the user.', tags, body },
      preValidation: [guard, emptyBodyAsForm],
    },
    async (request) => {
      const user = currentUser(request);
      // Laravel trims input: a blank name is a missing one.
      const name = request.body.name.trim();
      if (name === '') throw ValidationError.single('name', 'The name field is required.');
      // `*` is not a declared scope (the schema rejects it); the configured defaults apply when none is named.
      const scopes = services.scopes.resolve(request.body.scopes ?? [], { allowWildcard: false });
      const issued = await services.personalAccess.issue({ userId: user.id, name, scopes });
      return { accessToken: issued.jwt, token: presentTokenWithClient(issued.token, issued.client) };
    },
  );

  typed.delete(
    '/oauth/personal-access-tokens/:token_id',
    { schema: { summary: 'Delete the given token.', tags, params: TokenParams }, preValidation: guard },
    async (request, reply) => {
      if (!(await services.personalAccess.revoke(currentUser(request).id, request.params.token_id))) throw HttpError.notFound();
      return reply.status(204).send();
    },
  );
}
