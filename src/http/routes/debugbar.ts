import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { DebugbarCacheParams } from '../schemas/management.js';

/**
 * `DELETE /_debugbar/cache/{key}/{tags?}` (laravel-debugbar's CacheController): forgets one key
 * of the application cache. Like the debugbar, it exists only in debug mode — otherwise the
 * route is not registered at all and the request is an ordinary 404.
 */
export function debugbarRoutes(app: FastifyInstance, services: Services): void {
  if (!services.config.appDebug) return;
  app.withTypeProvider<TypeBoxTypeProvider>().delete(
    '/_debugbar/cache/:key/:tags?',
    { schema: { summary: 'Forget a cache key', tags: ['Debug'], params: DebugbarCacheParams } },
    async (request) => {
      const { key, tags } = request.params;
      return { success: await services.debug.forgetCacheKey(key, parseTags(tags)) };
    },
  );
}

/** Comma-separated tags; the debugbar's own UI sends a JSON array, which is accepted too. */
function parseTags(tags: string | undefined): string[] {
  if (!tags) return [];
  if (tags.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(tags);
      if (Array.isArray(parsed)) return parsed.filter((tag): tag is string => typeof tag === 'string' && tag !== '');
    } catch {
      // Not JSON after all: read it as a comma-separated list.
    }
  }
  return tags
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
}
