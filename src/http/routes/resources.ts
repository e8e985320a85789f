import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ResourceProblem } from '../../oauth/use-cases/resources.js';
import { presentResource } from '../../presenters/resource.js';
import type { Services } from '../../services.js';
import { HttpError, ValidationError } from '../errors.js';
import { currentUser, webGuard } from '../plugins/authentication.js';
import { emptyBodyAsForm } from '../schemas/management.js';

const ResourceBody = Type.Object({
  uri: Type.String({ minLength: 1, maxLength: 2048, description: 'The resource URI: what clients send as `resource`, the `aud` of its tokens.', examples: ['https://mcp.example.com/mcp'] }),
  name: Type.String({ minLength: 1, maxLength: 191, description: 'The name users see on the consent page.', examples: ['Notes MCP'] }),
  scopes: Type.Optional(
    // The string first: the validator coerces a lone string into a one-item array, which would
    // turn "notes:read notes:write" into a single scope containing a space.
    Type.Union([Type.String({ maxLength: 4096 }), Type.Array(Type.String({ maxLength: 191 }), { maxItems: 100 })], {
      description: 'The scopes it declares (an array, or space-separated); none: any scope of this server.',
      examples: [['notes:read', 'notes:write']],
    }),
  ),
  token_ttl: Type.Optional(Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'Lifetime of its access tokens in seconds (default ACCESS_TOKEN_TTL).' })),
});

const ResourceParams = Type.Object({ resource_id: Type.String({ description: 'The resource id (a UUID).' }) });

/** Laravel's messages for what the core refuses. */
const PROBLEMS: Record<ResourceProblem, [field: string, message: string]> = {
  invalid_uri: ['uri', 'The uri field must be an absolute https URI without a fragment.'],
  reserved_uri: ['uri', 'The uri is this server itself.'],
  uri_taken: ['uri', 'The uri has already been taken.'],
  invalid_name: ['name', 'The name field is required.'],
  invalid_scope: ['scopes', 'The selected scopes is invalid.'],
  invalid_ttl: ['token_ttl', 'The token ttl field must be at least 1.'],
};

/**
 * The user's resource servers (RFC 8707): the JSON API behind the dashboard, guarded as the
 * other management routes (session, API cookie, or a user token carrying `*`).
 */
export function resourceRoutes(app: FastifyInstance, services: Services): void {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['OAuth management'];
  const guard = webGuard(services);

  typed.get('/oauth/resources', { schema: { summary: 'Get the resource servers of the authenticated user.', tags }, preValidation: guard }, async (request) => {
    const resources = await services.resources.list({ userId: currentUser(request).id });
    return resources.map(presentResource);
  });

  typed.post(
    '/oauth/resources',
    { schema: { summary: 'Register a resource server.', tags, body: ResourceBody }, preValidation: [guard, emptyBodyAsForm] },
    async (request, reply) => {
      const { uri, name, scopes, token_ttl: tokenTtl } = request.body;
      const result = await services.resources.create({
        uri: uri.trim(),
        name,
        // Space-separated or an array (a form sends `scopes=a b` or `scopes[]=a`); either way, scope names.
        scopes: scopes === undefined ? null : [scopes].flat().flatMap((scope) => scope.split(/\s+/)).filter(Boolean),
        tokenTtl: tokenTtl ?? null,
        userId: currentUser(request).id,
      });
      if (!result.ok) throw ValidationError.single(...PROBLEMS[result.problem]);
      return reply.status(201).send(presentResource(result.resource));
    },
  );

  typed.delete(
    '/oauth/resources/:resource_id',
    { schema: { summary: 'Delete the given resource server.', tags, params: ResourceParams }, preValidation: guard },
    async (request, reply) => {
      if (!(await services.resources.delete(request.params.resource_id, { userId: currentUser(request).id }))) throw HttpError.notFound();
      return reply.status(204).send();
    },
  );
}
