import type { FastifyInstance } from 'fastify';
import { postmanCollection } from '../docs/collection.js';
import type { OpenApiDocument } from '../docs/document.js';
import { DOCS_PATHS, renderDocsPage } from '../docs/page.js';
import type { Services } from '../../services.js';

interface BuiltDocs {
  openapi: string;
  collection: string;
  page: string;
}

/**
 * `GET /docs`, `/docs/openapi.json` and `/docs/collection.json`. The OpenAPI document is built
 * once, when the app is ready (every route is known then), and the three answers are cached.
 * The docs routes themselves are not documented.
 */
export function docsRoutes(app: FastifyInstance, services: Services): void {
  const { config } = services;
  let built: BuiltDocs | Error = new Error('The API documentation is built when the app is ready');

  // A route schema the generator cannot read breaks the docs (500, logged), never the server's start.
  app.addHook('onReady', async () => {
    try {
      const document = app.swagger() as unknown as OpenApiDocument;
      built = {
        openapi: JSON.stringify(document),
        collection: JSON.stringify(postmanCollection(document, config.appUrl)),
        page: renderDocsPage(document, config.appName),
      };
    } catch (error) {
      built = error instanceof Error ? error : new Error(String(error));
      app.log.error({ err: built }, 'the API documentation could not be built');
    }
  });

  const docs = (): BuiltDocs => {
    if (built instanceof Error) throw built;
    return built;
  };
  const hidden = { schema: { hide: true } };

  app.get(DOCS_PATHS.page, hidden, async (_request, reply) => reply.type('text/html; charset=utf-8').send(docs().page));
  app.get(DOCS_PATHS.openapi, hidden, async (_request, reply) => reply.type('application/json; charset=utf-8').send(docs().openapi));
  app.get(DOCS_PATHS.collection, hidden, async (_request, reply) => reply.type('application/json; charset=utf-8').send(docs().collection));
}
