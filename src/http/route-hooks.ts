import type { onRequestHookHandler, RouteOptions } from 'fastify';

/** A route's own onRequest hooks as a list, so a plugin can add one to them. */
export function hooksOf(hooks: RouteOptions['onRequest']): onRequestHookHandler[] {
  if (hooks === undefined) return [];
  return (Array.isArray(hooks) ? hooks : [hooks]) as onRequestHookHandler[];
}
