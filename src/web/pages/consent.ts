import type { SafeHtml } from '../html.js';
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
  /** Where the browser goes afterwards: a host, or a native app's scheme (`com.example.app:`). */
  redirectHost: string;
  /**
   * A client that introduced itself: its name is its own claim. `cimd`: `clientHost` is where its
   * metadata document is published; `dynamic`: the host of the client_uri it registered, a claim.
   */
  unverified: { clientHost: string | null; origin: 'cimd' | 'dynamic' } | null;
}

/**
 * Passport's authorize view: who asks, for what, where the answer goes, and two buttons that
 * carry the one-time auth token. Every value here comes from a client or the registry: all escaped.
 */
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
  const body = html`<div class="card">
<h1>Authorization request</h1>
<p><strong>${page.clientName}</strong> is requesting permission to access your account.</p>
${page.unverified ? notice(page.appName, page.unverified) : ''}
${scopes}
${resources}
<p>After you answer, you will be sent to <strong>${page.redirectHost}</strong>${isOnThisDevice(page.redirectHost) ? ' (an app on this device)' : ''}.</p>
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

/**
 * For a client that introduced itself: said plainly, not as an alarm (role `note`, not `alert`).
 * A metadata document's host is where it was fetched from; a registered client_uri only a claim.
 */
function notice(appName: string, unverified: NonNullable<ConsentPage['unverified']>): SafeHtml {
  const { clientHost, origin } = unverified;
  const from =
    clientHost === null
      ? ''
      : origin === 'cimd'
        ? html` It is published by <strong>${clientHost}</strong>.`
        : html` It says it comes from <strong>${clientHost}</strong>, which ${appName} has not checked.`;
  return html`<div class="notice" role="note">
<p><strong>This application is not verified by ${appName}.</strong> The name above is the one it gave itself.${from}</p>
<p>Authorize it only if you trust it.</p>
</div>`;
}

function hostOf(uri: string): string {
  return URL.canParse(uri) ? new URL(uri).host : uri;
}

/** A loopback redirect or a private-use scheme (RFC 8252 §7): a native app on the user's own device. */
function isOnThisDevice(redirectHost: string): boolean {
  return redirectHost.endsWith(':') || /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(redirectHost);
}
