import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HttpError } from '../errors.js';

interface Asset {
  body: string;
  type: string;
  /** A short content hash: the `?v=` of the page's link, so a changed file is fetched anew. */
  version: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * src/web/assets/ holds plain files (no build step). Run from dist/ (the compiled server), the
 * compiler has not copied them, so the package's own src/web/assets/ is used.
 */
function assetDirectory(): string {
  const candidates = [new URL('../../web/assets/', import.meta.url), new URL('../../../../src/web/assets/', import.meta.url)];
  const found = candidates.find((url) => existsSync(url));
  if (!found) throw new Error('src/web/assets/ not found');
  return fileURLToPath(found);
}

function loadAssets(): Map<string, Asset> {
  const directory = assetDirectory();
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(directory)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(`${directory}${name}`, 'utf8');
    assets.set(name, { body, type, version: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

// Read once: the files are part of the release, like the code.
const ASSETS = loadAssets();

/** The URL of a static asset for a page's `<script src>` or `<link href>`. */
export function assetUrl(name: string): string {
  const asset = ASSETS.get(name);
  if (!asset) throw new Error(`unknown asset ${name}`);
  return `/assets/${name}?v=${asset.version}`;
}

const AssetParams = Type.Object({ name: Type.String() });
const AssetQuery = Type.Object({ v: Type.Optional(Type.String()) });

/** Serves the pages' scripts and styles from our own origin (CSP `default-src 'self'`). */
export function assetRoutes(app: FastifyInstance): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/assets/:name',
    { schema: { hide: true, params: AssetParams, querystring: AssetQuery } },
    async (request, reply) => {
      const asset = ASSETS.get(request.params.name);
      if (!asset) throw HttpError.notFound();
      // A versioned URL never changes content; anything else is revalidated.
      const cache = request.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache';
      return reply.type(asset.type).header('Cache-Control', cache).send(asset.body);
    },
  );
}
