import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { EmailTakenError } from '../../accounts/users.js';
import { safeIntendedPath } from '../../accounts/sessions.js';
import type { Services } from '../../services.js';
import { renderRegisterPage } from '../../web/pages/register.js';
import { HttpError, ValidationError } from '../errors.js';
import { csrfValid, expectsJson, sessionUser } from '../plugins/session.js';
import { presentUser } from '../../presenters/user.js';
import { RegisterBody, laravelErrorOrder, normaliseBody } from '../schemas/users.js';
import { sendPage } from './web-auth.js';

const FIELDS = ['name', 'email', 'password', 'password_confirmation'] as const;
const toLaravelErrors = laravelErrorOrder(FIELDS);

// The same wording as POST /api/users.
const EMAIL_TAKEN = 'The email has already been taken.';
const PASSWORD_UNCONFIRMED = 'The password field confirmation does not match.';
const REGISTRATION_CLOSED = 'This action is unauthorized.';

/** Where a new account lands (Laravel's RouteServiceProvider::HOME). */
const HOME = '/dashboard';

/**
 * The registration page: the rules of POST /api/users (one schema), Laravel's
 * messages with the input kept, and a logged-in session on success.
 */
export function registerPageRoutes(app: FastifyInstance, services: Services): void {
  const { config } = services;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const closed = config.registration === 'closed';

  typed.get('/register', { schema: { summary: 'The registration page', tags: ['web'] } }, async (request, reply) => {
    const data = await request.session.start();
    // Laravel's `guest` middleware: a logged-in user has nothing to register.
    if (await sessionUser(services, request)) return reply.redirect(HOME, 302);
    const flash = data.flash;
    if (flash) {
      delete data.flash;
      request.session.changed();
    }
    const page = renderRegisterPage({
      appName: config.appName,
      csrfToken: data.csrfToken,
      closed,
      errors: flash?.errors ?? [],
      invalid: flash?.invalid ?? [],
      old: { name: flash?.name, email: flash?.email },
    });
    return sendPage(reply, 200, page);
  });

  typed.post('/register', {
    schema: { summary: 'Register with the registration form', tags: ['web'], body: RegisterBody },
    config: config.registerRateLimit > 0 ? { rateLimit: { max: config.registerRateLimit, timeWindow: '1 minute' } } : {},
    // Validation failures reach the handler, which sends a browser back to the form with them.
    attachValidation: true,
    preValidation: [
      async (request, reply) => {
        // A closed registration is closed whatever the form carries, as POST /api/users.
        if (closed) return registrationClosed(request, reply);
        if (!(await csrfValid(request))) throw HttpError.csrfMismatch();
        return undefined;
      },
      normaliseBody,
    ],
    handler: async (request, reply) => {
      const body = request.body;
      const errors = await findProblems(services, body, request.validationError?.validation);
      if (Object.keys(errors).length > 0) return registrationFailed(request, reply, errors, body);
      let user;
      try {
        user = await services.users.register({ name: body.name, email: body.email, password: body.password });
      } catch (error) {
        if (error instanceof EmailTakenError) return registrationFailed(request, reply, { email: [EMAIL_TAKEN] }, body);
        throw error;
      }
      // Logged in as the login form does: a new session id (no fixation) and a new CSRF token.
      const data = await request.session.regenerate();
      data.userId = user.id;
      data.authTime = Math.floor(Date.now() / 1000);
      delete data.pendingAuthorization;
      delete data.flash;
      // Fortify's RegisterResponse: JSON clients get 201, browsers the page they were heading to.
      const target = safeIntendedPath(data.intended) ?? HOME;
      delete data.intended;
      request.session.changed();
      if (expectsJson(request)) return reply.status(201).send(presentUser(user));
      return reply.redirect(target, 302);
    },
  });

  async function registrationClosed(request: FastifyRequest, reply: FastifyReply) {
    if (expectsJson(request)) throw HttpError.forbidden(REGISTRATION_CLOSED);
    const data = await request.session.start();
    const page = renderRegisterPage({ appName: config.appName, csrfToken: data.csrfToken, closed: true, errors: [], invalid: [], old: {} });
    return sendPage(reply, 403, page);
  }
}

/**
 * The problems POST /api/users reports for the same input: the schema's messages (the shared
 * RegisterBody); once those pass, a taken email and an unconfirmed password together.
 */
async function findProblems(services: Services, body: RegisterBody, issues: FastifySchemaValidationError[] | undefined) {
  if (issues && issues.length > 0) return toLaravelErrors(issues).errors;
  const errors: Record<string, string[]> = {};
  if (await services.users.emailTaken(body.email)) errors.email = [EMAIL_TAKEN];
  if (body.password !== body.password_confirmation) errors.password = [PASSWORD_UNCONFIRMED];
  return errors;
}

/** Laravel's failed form: JSON clients get the 422; browsers go back to the form with the messages and their input. */
async function registrationFailed(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string[]>, body: Partial<RegisterBody>) {
  if (expectsJson(request)) throw new ValidationError(errors);
  const data = await request.session.start();
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  data.flash = { errors: Object.values(errors).flat(), invalid: Object.keys(errors), name: text(body.name), email: text(body.email) };
  request.session.changed();
  return reply.redirect('/register', 302);
}
