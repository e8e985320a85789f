import type { OAuthError } from '../../oauth/errors.js';
import { html } from '../html.js';
import { layout } from '../layout.js';

/**
 * An authorization request that cannot be sent back to the client (unknown client, bad
 * redirect URI): RFC 6749 §4.1.2.1 says to tell the user instead of redirecting. The user is
 * told what is wrong in plain words; the protocol error follows for the application's developer.
 */
export function renderAuthorizeErrorPage(appName: string, error: OAuthError): string {
  const body = html`<div class="card" role="alert">
<h1>This authorization request is not valid</h1>
<p>${explanation(error)}</p>
<p class="muted">For the application's developer: <code>${error.code}</code> — ${error.description}</p>
${error.hint ? html`<p class="muted">${error.hint}</p>` : ''}
</div>`;
  return layout({ title: 'Authorization error', appName, body });
}

function explanation(error: OAuthError): string {
  if (error.code === 'invalid_client') {
    return error.hint?.includes('redirect_uri')
      ? 'The redirect address is not registered for this application, so you cannot be sent back to it.'
      : 'This application is not known here, or its access was withdrawn.';
  }
  const parameter = /`([a-z_]+)`/.exec(error.hint ?? '')?.[1];
  return parameter
    ? `The application sent a missing, repeated or malformed ${parameter} parameter.`
    : 'The application sent a request that cannot be completed.';
}
