import { html } from '../html.js';
import { layout } from '../layout.js';

export interface ConsentPage {
  appName: string;
  csrfToken: string;
  userName: string;
  clientName: string;
  clientId: string;
  state: string | null;
  authToken: string;
  scopes: readonly { id: string; description: string }[];
  /** The resource servers the tokens are for (RFC 8707). */
  resources: readonly { name: string; uri: string }[];
  /** Where the browser goes afterwards. */
  redirectHost: string;
  /** A client that introduced itself: its name is its own claim. */
  unverified: { clientHost: string | null } | null;
}

/** Passport's authorize view: who asks, for what, and two buttons that carry the one-time auth token. */
export function renderConsentPage(page: ConsentPage): string {
  const hidden = html`<input type="hidden" name="_token" value="${page.csrfToken}">
<input type="hidden" name="state" value="${page.state ?? ''}">
<input type="hidden" name="client_id" value="${page.clientId}">
<input type="hidden" name="auth_token" value="${page.authToken}">`;
  const scopes = page.scopes.length
    ? html`<p>This application will be able to:</p>
<ul class="scopes">${page.scopes.map((scope) => html`<li>${scope.description}</li>`)}</ul>`
    : '';
  const resources = page.resources.length
    ? html`<p>Its access will be limited to:</p>
<ul class="resources">${page.resources.map((resource) => html`<li><strong>${resource.name}</strong> <span class="muted">(${hostOf(resource.uri)})</span></li>`)}</ul>`
    : '';
  const notice = page.unverified
    ? html`<p class="notice" role="note">This application is not verified by ${page.appName}: its name is what it says about itself.${
        page.unverified.clientHost ? html` It is published by <strong>${page.unverified.clientHost}</strong>.` : ''
      } Only continue if you trust it.</p>`
    : '';
  const body = html`<div class="card">
<h1>Authorization request</h1>
<p><strong>${page.clientName}</strong> is requesting permission to access your account.</p>
${notice}
${scopes}
${resources}
<p>If you authorize it, you will be sent to <strong>${page.redirectHost}</strong>.</p>
<div class="actions">
<form method="post" action="/oauth/authorize">
${hidden}
<button type="submit">Authorize</button>
</form>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="_method" value="DELETE">
${hidden}
<button type="submit" class="secondary">Cancel</button>
</form>
</div>
</div>`;
  return layout({ title: 'Authorization request', appName: page.appName, csrfToken: page.csrfToken, userName: page.userName, body });
}

function hostOf(uri: string): string {
  return URL.canParse(uri) ? new URL(uri).host : uri;
}
