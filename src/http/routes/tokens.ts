import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AccessToken, Client } from '../../oauth/ports.js';
import type { Services } from '../../services.js';
import { HttpError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { presentTokenWithClient } from '../presenters/token.js';
import { TokenParams } from '../schemas/management.js';

export interface TokenWithClient {
  token: AccessToken;
  client: Client;
}

/** The user's live (unrevoked, unexpired) tokens, each with its client; tokens of a vanished client are left out. */
export async function userTokens(services: Services, userId: number): Promise<TokenWithClient[]> {
  const tokens = await services.repositories.accessTokens.listForUser(userId, { personal: false });
  const ids = [...new Set(tokens.map((token) => token.clientId))];
  const found = await Promise.all(ids.map((id) => services.clients.find(id)));
  const clients = new Map(ids.map((id, index) => [id, found[index]]));
  const result: TokenWithClient[] = [];
  for (const token of tokens) {
    const client = clients.get(token.clientId);
    if (client) result.push({ token, client });
  }
  return result;
}

/** One of the user's tokens, or 404 (Passport's `findForUser`): another user's token is not found. */
export async function findUserToken(services: Services, tokenId: string, userId: number): Promise<AccessToken> {
  const token = await services.repositories.accessTokens.findById(tokenId);
  if (!token || token.userId !== userId) throw HttpError.notFound();
  return token;
}

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
      const tokens = await userTokens(services, currentUser(request).id);
      return tokens
        .filter(({ client }) => !client.personalAccessClient && !client.passwordClient)
        .map(({ token, client }) => presentTokenWithClient(token, client));
    },
  );

  typed.delete(
    '/oauth/tokens/:token_id',
    { schema: { summary: 'Delete the given token.', tags, params: TokenParams }, preValidation: webGuard(services) },
    async (request, reply) => {
      const token = await findUserToken(services, request.params.token_id, currentUser(request).id);
      // Revokes its refresh tokens too, and tells every node's cache at once.
      await services.tokens.revokeAccessToken(token.id);
      return reply.status(204).send();
    },
  );
}
