import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { OAuthError } from '../../oauth/errors.js';
import type { Services } from '../../services.js';
import type { MachineRouteModule } from './machine-endpoints.js';

/** A registration is a few hundred bytes; 64 KiB leaves room for long redirect URI lists and nothing more. */
const BODY_LIMIT = 64 * 1024;

const ClientParams = Type.Object({ client_id: Type.String({ description: 'The client id of the registration.' }) });

/** Fastify's answers to a body it could not read, turned into RFC 7591's error. */
const UNREADABLE_BODY: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'The request body must be JSON (Content-Type: application/json).',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body must be a JSON object of client metadata.',
};

/**
 * Dynamic client registration: POST /oauth/register (RFC 7591 §3) and the client
 * configuration endpoint GET/PUT/DELETE /oauth/register/{client_id} (RFC 7592). The routes
 * exist only when OAUTH_DYNAMIC_REGISTRATION is `open` or `token`; the use cases do the rest.
 * The body is left unchecked by Fastify (no body schema, so nothing is coerced): the core
 * validates the metadata exactly; the documented body lives in the route notes.
 */
export const dynamicRegistrationRoutes: MachineRouteModule = (machine, services) => {
  if (services.dynamicRegistration.mode === 'off') return;
  void machine.register(async (scope) => registrationRoutes(scope, services));
};

async function registrationRoutes(scope: FastifyInstance, services: Services): Promise<void> {
  const registration = services.dynamicRegistration;
  scope.setErrorHandler((error: FastifyError, _request, reply) => {
    const description = UNREADABLE_BODY[error.code] ?? (error instanceof SyntaxError ? UNREADABLE_BODY.FST_ERR_CTP_INVALID_JSON_BODY : undefined);
    if (description === undefined) throw error;
    const oauth = OAuthError.invalidClientMetadata(description);
    return reply.status(oauth.status).send(oauth.toJSON());
  });
  const route = (summary: string, parts: { params?: boolean; json?: boolean }) => ({
    bodyLimit: BODY_LIMIT,
    // The core refuses control characters with RFC 7591's invalid_client_metadata (and the
    // RFC 7592 routes answer an id no client has with the same 401 as any other).
    config: { input: 'own' as const },
    schema: {
      summary,
      tags: ['OAuth'],
      ...(parts.params ? { params: ClientParams } : {}),
      ...(parts.json ? { consumes: ['application/json'] } : {}),
    },
  });

  scope.post('/oauth/register', route('Register a client (RFC 7591)', { json: true }), async (request, reply) => {
    const client = await registration.register({ authorization: request.headers.authorization, body: jsonBody(request) });
    return reply.status(201).send(client);
  });

  scope.get('/oauth/register/:client_id', route('Read a client registration (RFC 7592)', { params: true }), async (request) =>
    registration.read(clientIdOf(request), request.headers.authorization),
  );

  scope.put('/oauth/register/:client_id', route('Update a client registration (RFC 7592)', { params: true, json: true }), async (request) =>
    registration.update(clientIdOf(request), { authorization: request.headers.authorization, body: jsonBody(request) }),
  );

  scope.delete('/oauth/register/:client_id', route('Delete a client registration (RFC 7592)', { params: true }), async (request, reply) => {
    await registration.remove(clientIdOf(request), request.headers.authorization);
    return reply.status(204).send();
  });
}

/** RFC 7591 §3.1: the metadata is a JSON document; a form (which Fastify would parse too) is refused. */
function jsonBody(request: FastifyRequest): unknown {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw OAuthError.invalidClientMetadata(UNREADABLE_BODY.FST_ERR_CTP_INVALID_MEDIA_TYPE ?? '');
  return request.body;
}

function clientIdOf(request: FastifyRequest): string {
  return (request.params as { client_id: string }).client_id;
}
