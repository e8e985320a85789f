import type { OAuthError } from '../../oauth/errors.js';
import { html } from '../html.js';
import { layout } from '../layout.js';

/**
 * An authorization request that cannot be sent back to the client (unknown client, bad
 * redirect URI): RFC 6749 §4.1.2.1 says to tell the user instead of redirecting.
 */
export function renderAuthorizeErrorPage(appName: string, error: OAuthError): string {
  const body = html`<div class="card" role="alert">
<h1>This authorization request is not valid</h1>
<p>${error.description}</p>
${error.hint ? html`<p class="muted">${error.hint}</p>` : ''}
<p class="muted">Error code: <code>${error.code}</code></p>
</div>`;
  return layout({ title: 'Authorization error', appName, body });
}
