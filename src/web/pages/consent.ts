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
  const body = html`<div class="card">
<h1>Authorization request</h1>
<p><strong>${page.clientName}</strong> is requesting permission to access your account.</p>
${scopes}
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
