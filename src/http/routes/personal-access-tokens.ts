import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ensurePersonalAccessClient } from '../../oauth/personal-access-client.js';
import type { Services } from '../../services.js';
import { ValidationError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { presentTokenWithClient } from '../presenters/token.js';
import { TokenParams, emptyBodyAsForm, personalAccessTokenBody } from '../schemas/management.js';
import { findUserToken, userTokens } from './tokens.js';

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
      const tokens = await userTokens(services, currentUser(request).id);
      return tokens.filter(({ client }) => client.personalAccessClient).map(({ token, client }) => presentTokenWithClient(token, client));
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
      const client = await ensurePersonalAccessClient(services.repositories.clients, services.config.appName);
      const issued = await services.tokens.issueAccessToken({
        clientId: client.id,
        userId: user.id,
        scopes,
        ttlSeconds: services.config.personalAccessTokenTtl,
        name,
      });
      return { accessToken: issued.jwt, token: presentTokenWithClient(issued.record, client) };
    },
  );

  typed.delete(
    '/oauth/personal-access-tokens/:token_id',
    { schema: { summary: 'Delete the given token.', tags, params: TokenParams }, preValidation: guard },
    async (request, reply) => {
      const token = await findUserToken(services, request.params.token_id, currentUser(request).id);
      await services.tokens.revokeAccessToken(token.id);
      return reply.status(204).send();
    },
  );
}
