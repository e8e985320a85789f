import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseRedirectUris } from '../../oauth/client-registration.js';
import type { Client } from '../../oauth/ports.js';
import { presentClient, presentNewClient } from '../../presenters/client.js';
import type { Services } from '../../services.js';
import { HttpError, ValidationError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { isCleanText } from '../../oauth/clean-text.js';
import { ClientBody, ClientParams, ClientUpdateBody, booleanInput, emptyBodyAsForm } from '../schemas/management.js';

const INVALID_REDIRECT = 'One or more redirects have an invalid URI format.';

/** A user sees and changes only their own live clients; anything else is not found. */
async function findUserClient(services: Services, clientId: string, userId: number): Promise<Client> {
  const client = await services.clients.findOwned(userId, clientId);
  if (!client) throw HttpError.notFound();
  return client;
}

/** Laravel trims input and then validates: a blank name is missing, a bad redirect list is one error. */
function validateClientInput(body: { name: string; redirect: string }): { name: string; redirectUris: string[] } {
  const errors: Record<string, string[]> = {};
  const name = body.name.trim();
  if (name === '') errors.name = ['The name field is required.'];
  const redirect = body.redirect.trim();
  const redirectUris = redirect === '' ? undefined : parseRedirectUris(redirect);
  if (redirect === '') errors.redirect = ['The redirect field is required.'];
  else if (!redirectUris) errors.redirect = [INVALID_REDIRECT];
  if (!redirectUris || Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { name, redirectUris };
}

/** Passport's ClientController: a user's OAuth clients (the JSON API behind the dashboard). */
export function clientRoutes(app: FastifyInstance, services: Services): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['OAuth management'];
  const guard = webGuard(services);
  // Ownership before validation, as Passport: someone else's client is 404 whatever the body says.
  const ownClient = async (request: FastifyRequest) => {
    const { client_id } = request.params as { client_id: string };
    // Checked before the input rule runs: an id with control characters names no client.
    if (!isCleanText(client_id)) throw HttpError.notFound();
    await findUserClient(services, client_id, currentUser(request).id);
  };

  typed.get(
    '/oauth/clients',
    { schema: { summary: 'Get all of the clients for the authenticated user.', tags }, preValidation: guard },
    async (request) => {
      const clients = await services.clients.listForUser(currentUser(request).id);
      return clients.map(presentClient);
    },
  );

  typed.post(
    '/oauth/clients',
    { schema: { summary: 'Store a new client.', tags, body: ClientBody }, preValidation: [guard, emptyBodyAsForm] },
    async (request, reply) => {
      const { name, redirectUris } = validateClientInput(request.body);
      const registered = await services.clients.register({
        userId: currentUser(request).id,
        name,
        redirectUris,
        confidential: booleanInput(request.body.confidential, true),
      });
      return reply.status(201).send(presentNewClient(registered.client, registered.plainSecret));
    },
  );

  typed.put(
    '/oauth/clients/:client_id',
    {
      schema: { summary: 'Update the given client.', tags, params: ClientParams, body: ClientUpdateBody },
      preValidation: [guard, ownClient, emptyBodyAsForm],
    },
    async (request) => {
      const { name, redirectUris } = validateClientInput(request.body);
      const updated = await services.clients.update(currentUser(request).id, request.params.client_id, { name, redirectUris });
      if (!updated) throw HttpError.notFound();
      return presentClient(updated);
    },
  );

  typed.delete(
    '/oauth/clients/:client_id',
    { schema: { summary: 'Delete the given client.', tags, params: ClientParams }, preValidation: guard },
    async (request, reply) => {
      // The client and every token issued to it, on every node at once.
      if (!(await services.clients.revoke(currentUser(request).id, request.params.client_id))) throw HttpError.notFound();
      return reply.status(204).send();
    },
  );
}
