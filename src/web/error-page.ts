import type { IncomingHttpHeaders } from 'node:http';
import { html } from './html.js';
import { layout } from './layout.js';

/** What the choice between JSON and a page reads: a Fastify request or Node's own. */
export interface RequestLine {
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * Laravel answers JSON to API routes and to requests that ask for JSON, and pages to
 * browsers. A request with no preference (curl, fetch) gets JSON.
 */
export function wantsJson(request: RequestLine): boolean {
  const path = request.url ?? '/';
  if (path.startsWith('/api/') || path === '/api') return true;
  if (request.headers['x-requested-with'] === 'XMLHttpRequest') return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('json') || !accept.includes('text/html');
}

export function wantsHtml(request: RequestLine): boolean {
  return !wantsJson(request);
}

/** An error as a page in the same shell as every other page (issue 6: the 404 looked like no other page). */
export function renderErrorPage(status: number, message: string, appName = 'Authgate'): string {
  const body = html`<div class="card" role="alert">
<h1>${status}</h1>
<p>${message}</p>
<p><a href="/">Home</a></p>
</div>`;
  return layout({ title: `${status} ${message}`, appName, body, bareHeader: true });
}
