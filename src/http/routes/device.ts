import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import type { UserProfile } from '../../accounts/ports.js';
import { formatUserCode } from '../../oauth/device-authorization.js';
import type { PendingDeviceAuthorization } from '../../oauth/device-authorization.js';
import { renderDeviceCodePage, renderDeviceConfirmPage, renderDeviceDonePage } from '../../web/pages/device.js';
import { HttpError, ValidationError } from '../errors.js';
import { csrfValid, expectsJson, redirectToLogin, sessionUser } from '../plugins/session.js';
import type { RouteModule } from './index.js';
import { sendPage } from './web-auth.js';

const INVALID_CODE = 'The code is invalid or has expired.';
/** Longer than any user code with punctuation; what is echoed back into the form stays short. */
const MAX_TYPED = 64;

/**
 * The device authorization grant's page (RFC 8628 §3.3): a logged-in user enters the code the
 * device shows and approves or denies (`/oauth/device`). The device's own endpoint,
 * POST /oauth/device/code, is one of the machine endpoints.
 */
export const deviceRoutes: RouteModule = (app, services) => {
  const { config } = services;
  // Rate limited as the token endpoint: each request is a guess at a user code (RFC 8628 §5.1).
  const guessLimit: FastifyContextConfig = config.tokenRateLimit > 0 ? { rateLimit: { max: config.tokenRateLimit, timeWindow: '1 minute' } } : {};

  app.get('/oauth/device', { schema: { summary: 'The page where a user enters a device code', tags: ['web'] } }, async (request, reply) => {
    const user = await sessionUser(services, request);
    if (!user) {
      if (expectsJson(request)) throw HttpError.unauthenticated();
      return redirectToLogin(request, reply);
    }
    const typed = (request.query as Record<string, unknown>).user_code;
    return codePage(request, reply, user, { status: 200, userCode: typeof typed === 'string' ? typed : '', errors: [] });
  });

  app.post('/oauth/device', { schema: { summary: 'Look up, approve or deny a device code', tags: ['web'] }, config: guessLimit }, async (request, reply) => {
    // As the other session forms: CSRF first (419), then the session (401).
    if (!(await csrfValid(request))) throw HttpError.csrfMismatch();
    const user = await sessionUser(services, request);
    if (!user) throw HttpError.unauthenticated();
    const typed = bodyField(request, 'user_code');
    const action = bodyField(request, 'action');
    if (action !== undefined && action !== 'approve' && action !== 'deny') throw ValidationError.single('action', 'The selected action is invalid.');
    const pending = await services.device.findPending(typed);
    const invalid = { status: 422, userCode: typed ?? '', errors: [INVALID_CODE] };
    if (!pending) return codePage(request, reply, user, invalid);
    if (action === undefined) return confirmPage(request, reply, user, pending);
    const approved = action === 'approve';
    // Only the first answer counts: a code answered in another tab meanwhile is no longer pending.
    if (!(await services.device.answer(pending, { userId: user.id, approved }))) return codePage(request, reply, user, invalid);
    const csrfToken = await sessionCsrfToken(request);
    return sendPage(reply, 200, renderDeviceDonePage({ appName: config.appName, csrfToken, userName: user.name, approved, clientName: pending.client.name }));
  });

  async function codePage(request: FastifyRequest, reply: FastifyReply, user: UserProfile, page: { status: number; userCode: string; errors: string[] }) {
    const csrfToken = await sessionCsrfToken(request);
    const html = renderDeviceCodePage({ appName: config.appName, csrfToken, userName: user.name, userCode: page.userCode.slice(0, MAX_TYPED), errors: page.errors });
    return sendPage(reply, page.status, html);
  }

  async function confirmPage(request: FastifyRequest, reply: FastifyReply, user: UserProfile, pending: PendingDeviceAuthorization) {
    const csrfToken = await sessionCsrfToken(request);
    const scopes = pending.code.scopes.map((id) => ({ id, description: services.scopes.describe(id) }));
    const html = renderDeviceConfirmPage({
      appName: config.appName,
      csrfToken,
      userName: user.name,
      userCode: formatUserCode(pending.code.userCode),
      clientName: pending.client.name,
      scopes,
    });
    return sendPage(reply, 200, html);
  }
};

async function sessionCsrfToken(request: FastifyRequest): Promise<string> {
  return (await request.session.start()).csrfToken;
}

function bodyField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body;
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
