import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';

/** A route module registers its routes on the app; adding one is one line here. */
export type RouteModule = (app: FastifyInstance, services: Services) => Promise<void> | void;

export const routeModules: RouteModule[] = [];
