import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ThrottleDecision } from '../../accounts/login-throttle.js';
import { XSRF_COOKIE } from '../../accounts/csrf.js';
import { safeIntendedPath } from '../../accounts/sessions.js';
import type { Services } from '../../services.js';
import { renderHomePage } from '../../web/pages/home.js';
import { renderLoginPage } from '../../web/pages/login.js';
import { HttpError, ValidationError } from '../errors.js';
import { SESSION_COOKIE, csrfValid, expectsJson, sessionUser } from '../plugins/session.js';

const BAD_CREDENTIALS = 'These credentials do not match our records.';

interface LoginInput {
  email: string;
  password: string;
}

/** The login page, the login form's target, logout, and a small home page. */
export async function webAuthRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const cookieOptions = { path: '/', sameSite: 'lax' as const, secure: config.appUrl.startsWith('https:') };

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const user = await sessionUser(services, request);
    const data = await request.session.get();
    return sendPage(reply, 200, renderHomePage({ appName: config.appName, csrfToken: data?.csrfToken, user }));
  });

  app.get('/login', { schema: { summary: 'The login page', tags: ['web'] } }, async (request, reply) => {
    const data = await request.session.start();
    if (await sessionUser(services, request)) {
      const target = takeIntended(data);
      request.session.changed();
      return reply.redirect(target, 302);
    }
    const flash = data.flash;
    if (flash) {
      delete data.flash;
      request.session.changed();
    }
    return sendPage(reply, 200, renderLoginPage({ appName: config.appName, csrfToken: data.csrfToken, errors: flash?.errors ?? [], email: flash?.email }));
  });

  app.post('/login', { schema: { summary: 'Log in with the login form', tags: ['web'] } }, async (request, reply) => {
    if (!(await csrfValid(request))) throw HttpError.csrfMismatch();
    const input = readLoginInput(request.body);
    if ('errors' in input) return loginFailed(request, reply, input.errors, input.email);
    // The same throttle as POST /api/login and the password grant: failures on any count against all.
    const login = await services.users.login(input.email, input.password, request.ip);
    if (login.status === 'throttled') return throttled(request, reply, login.throttle, input.email);
    if (login.status === 'invalid') return loginFailed(request, reply, { email: [BAD_CREDENTIALS] }, input.email);
    const { user } = login;
    // A new id at login defeats session fixation; the old session is destroyed.
    const data = await request.session.regenerate();
    data.userId = user.id;
    data.authTime = Math.floor(Date.now() / 1000);
    delete data.pendingAuthorization;
    delete data.flash;
    const target = takeIntended(data);
    request.session.changed();
    return reply.redirect(target, 302);
  });

  app.post('/logout', { schema: { summary: 'Log out', tags: ['web'] } }, async (request, reply) => {
    if (!(await csrfValid(request))) throw HttpError.csrfMismatch();
    await request.session.destroy();
    reply.clearCookie(config.apiCookieName, { ...cookieOptions, httpOnly: true });
    reply.clearCookie(XSRF_COOKIE, cookieOptions);
    reply.clearCookie(SESSION_COOKIE, { ...cookieOptions, httpOnly: true });
    return reply.redirect('/', 302);
  });

  async function throttled(request: FastifyRequest, reply: FastifyReply, decision: ThrottleDecision, email: string) {
    const headers = {
      'Retry-After': String(decision.retryAfter),
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(decision.retryAfter),
    };
    if (expectsJson(request)) throw new HttpError(429, 'Too Many Attempts.', headers);
    const data = await request.session.start();
    const message = `Too many login attempts. Please try again in ${decision.retryAfter} seconds.`;
    reply.headers(headers);
    return sendPage(reply, 429, renderLoginPage({ appName: config.appName, csrfToken: data.csrfToken, errors: [message], email }));
  }
}

/** Laravel's failed form: JSON clients get the 422; browsers go back to the form, which shows the errors. */
async function loginFailed(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string[]>, email: string) {
  if (expectsJson(request)) throw new ValidationError(errors);
  const data = await request.session.start();
  data.flash = { errors: Object.values(errors).flat(), email };
  request.session.changed();
  return reply.redirect('/login', 302);
}

function readLoginInput(body: unknown): LoginInput | { errors: Record<string, string[]>; email: string } {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const email = typeof fields.email === 'string' ? fields.email.trim() : '';
  const password = typeof fields.password === 'string' ? fields.password : '';
  const errors: Record<string, string[]> = {};
  if (email === '') errors.email = ['The email field is required.'];
  if (password === '') errors.password = ['The password field is required.'];
  return Object.keys(errors).length > 0 ? { errors, email } : { email, password };
}

/** The page the visitor was sent to login from (same-origin paths only), else the dashboard. */
function takeIntended(data: { intended?: string }): string {
  const target = safeIntendedPath(data.intended) ?? '/dashboard';
  delete data.intended;
  return target;
}

/** Pages carry the CSRF token: never cache them. */
export function sendPage(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page);
}
