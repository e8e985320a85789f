import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NewAccount } from '../../accounts/users.js';
import { EmailTakenError } from '../../accounts/users.js';
import type { Services } from '../../services.js';
import { HttpError, ValidationError } from '../errors.js';
import { apiGuard, currentUser } from '../plugins/authentication.js';
import { presentPage } from '../../presenters/length-aware-paginator.js';
import { presentUser } from '../../presenters/user.js';
import {
  RegisterBody,
  SearchUsersQuery,
  StoreUserBody,
  UserJson,
  UserPageJson,
  laravelErrorOrder,
  normaliseBody,
  normaliseInput,
} from '../schemas/users.js';

const USER_FIELDS = ['name', 'email', 'password', 'password_confirmation'] as const;
const SEARCH_FIELDS = ['name', 'page', 'per_page'] as const;
const DEFAULT_PER_PAGE = 15;
/** GET bodies are read by hand (Fastify parses none); a search needs a few bytes, not megabytes. */
const GET_BODY_LIMIT = 64 * 1024;

const EMAIL_TAKEN = 'The email has already been taken.';
const PASSWORD_UNCONFIRMED = 'The password field confirmation does not match.';
// Of the two 403 messages (invalid scopes, unauthorized), a closed registration is an authorization failure.
const REGISTRATION_CLOSED = 'This action is unauthorized.';

/** The application's own user routes (register, the current user, search, store), except login. */
export async function userRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = services;

  api.post('/api/users', {
    schema: { summary: 'Register a user', tags: ['users'], body: RegisterBody, response: { 201: UserJson } },
    config: config.registerRateLimit > 0 ? { rateLimit: { max: config.registerRateLimit, timeWindow: '1 minute' } } : {},
    schemaErrorFormatter: laravelErrorOrder(USER_FIELDS),
    preValidation: [
      async () => {
        if (config.registration === 'closed') throw HttpError.forbidden(REGISTRATION_CLOSED);
      },
      normaliseBody,
    ],
    handler: async (request, reply) => {
      const { body } = request;
      const problems: Record<string, string[]> = {};
      if (body.password !== body.password_confirmation) problems.password = [PASSWORD_UNCONFIRMED];
      const user = await createAccount(services, body, problems);
      return reply.status(201).send(presentUser(user));
    },
  });

  api.get('/api/user', {
    schema: { summary: 'The authenticated user', tags: ['users'], response: { 200: UserJson } },
    preValidation: apiGuard(services),
    handler: async (request) => presentUser(currentUser(request)),
  });

  api.get('/api/users', {
    schema: { summary: 'Get detail user', tags: ['users'], querystring: SearchUsersQuery, response: { 200: UserPageJson } },
    schemaErrorFormatter: laravelErrorOrder(SEARCH_FIELDS),
    preValidation: [apiGuard(services, { scopes: ['users:read'], allowMachineClients: true }), mergeJsonBodyIntoQuery],
    handler: async (request) => {
      const { name, page = 1, per_page: perPage = DEFAULT_PER_PAGE } = request.query;
      const found = await services.users.search(name, { page, perPage });
      return presentPage({
        items: found.rows.map(presentUser),
        total: found.total,
        page,
        perPage,
        path: `${config.appUrl}/api/users`,
        query: { name, ...(request.query.per_page === undefined ? {} : { per_page: String(perPage) }) },
      });
    },
  });

  api.post('/api/v1/user/store', {
    schema: { summary: 'Create a user', tags: ['users'], body: StoreUserBody, response: { 201: UserJson } },
    schemaErrorFormatter: laravelErrorOrder(USER_FIELDS),
    // The guard runs before validation, so a caller without a token learns nothing about the rules.
    preValidation: [apiGuard(services, { scopes: ['users:write'], allowMachineClients: true }), normaliseBody],
    handler: async (request, reply) => {
      const user = await createAccount(services, request.body, {});
      return reply.status(201).send(presentUser(user));
    },
  });
}

/** Creates the user, or throws the 422 for a taken email together with `problems` found earlier. */
async function createAccount(services: Services, input: NewAccount, problems: Record<string, string[]>) {
  if (Object.keys(problems).length === 0) {
    try {
      return await services.users.register({ name: input.name, email: input.email, password: input.password });
    } catch (error) {
      if (error instanceof EmailTakenError) throw ValidationError.single('email', EMAIL_TAKEN);
      throw error;
    }
  }
  // Report every rule the schema could not check at once, in Laravel's field order.
  const taken = await services.users.emailTaken(input.email);
  throw new ValidationError({ ...(taken ? { email: [EMAIL_TAKEN] } : {}), ...problems });
}

/**
 * The reference sends `name` as a JSON body on GET. Fastify parses no GET bodies, so a JSON one
 * is read here; as in Laravel's `$request->input()`, body values win over the query string.
 */
async function mergeJsonBodyIntoQuery(request: FastifyRequest): Promise<void> {
  const body = await readJsonBody(request);
  const query = typeof request.query === 'object' && request.query !== null ? request.query : {};
  const merged = normaliseInput(query);
  Object.assign(merged, normaliseInput(body));
  request.query = merged;
}

async function readJsonBody(request: FastifyRequest): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type)) return undefined;
  const declared = Number(request.headers['content-length'] ?? 0);
  if (!request.headers['transfer-encoding'] && !(declared > 0)) return undefined;
  if (declared > GET_BODY_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > GET_BODY_LIMIT) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, 'The request body is too large.');
}
