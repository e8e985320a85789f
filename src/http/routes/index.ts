import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { assetRoutes } from './assets.js';
import { authorizeRoutes } from './authorize.js';
import { clientRoutes } from './clients.js';
import { dashboardRoutes } from './dashboard.js';
import { debugbarRoutes } from './debugbar.js';
import { deviceRoutes } from './device.js';
import { discoveryRoutes } from './discovery.js';
import { docsRoutes } from './docs.js';
import { healthRoutes } from './health.js';
import { loginRoutes } from './login.js';
import { personalAccessTokenRoutes } from './personal-access-tokens.js';
import { registerPageRoutes } from './register-page.js';
import { resourceRoutes } from './resources.js';
import { scopeRoutes } from './scopes.js';
import { tokenRoutes } from './tokens.js';
import { transientTokenRoutes } from './transient-token.js';
import { userInfoRoutes } from './userinfo.js';
import { userRoutes } from './users.js';
import { webAuthRoutes } from './web-auth.js';

/** A route module registers its routes on the app; adding one is one line here. */
export type RouteModule = (app: FastifyInstance, services: Services) => Promise<void> | void;

export const routeModules: RouteModule[] = [
  webAuthRoutes,
  authorizeRoutes,
  transientTokenRoutes,
  scopeRoutes,
  clientRoutes,
  tokenRoutes,
  personalAccessTokenRoutes,
  resourceRoutes,
  debugbarRoutes,
  userRoutes,
  loginRoutes,
  deviceRoutes,
  userInfoRoutes,
  discoveryRoutes,
  healthRoutes,
  docsRoutes,
  assetRoutes,
  registerPageRoutes,
  dashboardRoutes,
];
