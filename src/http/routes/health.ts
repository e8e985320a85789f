import type { RouteModule } from './index.js';
import { NO_STORE } from '../no-store.js';

/**
 * GET /health for load balancers: 200 when the database (and Redis, when configured) answer,
 * 503 otherwise, with the state of each. No session, no rate limit.
 */
export const healthRoutes: RouteModule = (app, services) => {
  app.get('/health', { schema: { summary: 'Whether this node can serve: the database and Redis', tags: ['Discovery'] }, config: { stateless: true } }, async (_request, reply) => {
    const report = await services.health.check();
    return reply.status(report.status === 'ok' ? 200 : 503).headers(NO_STORE).send(report);
  });
};
