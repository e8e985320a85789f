import type { FastifyRequest } from 'fastify';
import { html } from './html.js';

/**
 * Laravel answers JSON to API routes and to requests that ask for JSON, and pages to
 * browsers. A request with no preference (curl, fetch) gets JSON.
 */
export function wantsJson(request: FastifyRequest): boolean {
  const path = request.url;
  if (path.startsWith('/api/') || path === '/api') return true;
  if (request.headers['x-requested-with'] === 'XMLHttpRequest') return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('json') || !accept.includes('text/html');
}

export function wantsHtml(request: FastifyRequest): boolean {
  return !wantsJson(request);
}

export function renderErrorPage(status: number, message: string): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status} ${message}</title></head>
<body style="font-family: system-ui, sans-serif; display: grid; place-items: center; min-height: 90vh; color: #1f2937">
<main><h1>${status}</h1><p>${message}</p><p><a href="/">Home</a></p></main>
</body>
</html>`.value;
}
