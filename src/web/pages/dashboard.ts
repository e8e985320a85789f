import type { SafeHtml } from '../html.js';
import { html } from '../html.js';
import { layout } from '../layout.js';

/** A client as GET /oauth/clients shows it (the fields the page uses). */
export interface DashboardClient {
  id: string;
  name: string;
  /** Comma-separated redirect URIs. */
  redirect: string;
}

/** A token as GET /oauth/tokens and GET /oauth/personal-access-tokens show it. */
export interface DashboardToken {
  id: string;
  name: string | null;
  scopes: string[];
  created_at: string | null;
  expires_at: string | null;
  client: { name: string };
}

/** A resource server as GET /oauth/resources shows it (the fields the page uses). */
export interface DashboardResource {
  id: string;
  uri: string;
  name: string;
  /** Null: any scope this server declares. */
  scopes: string[] | null;
  /** Seconds; null: the server's default (ACCESS_TOKEN_TTL). */
  token_ttl: number | null;
}

export interface DashboardPage {
  appName: string;
  csrfToken: string;
  userName: string;
  clients: readonly DashboardClient[];
  resources: readonly DashboardResource[];
  /** ACCESS_TOKEN_TTL in seconds: the lifetime of a resource's tokens when it names none. */
  defaultTokenTtl: number;
  authorized: readonly DashboardToken[];
  personalTokens: readonly DashboardToken[];
  scopes: readonly { id: string; description: string }[];
  /** URLs of the page's script and stylesheet (served from /assets). */
  script: string;
  stylesheet: string;
}

/*
 * The markup of list items is mirrored by src/web/assets/dashboard.js, which re-renders the
 * lists from the JSON API after each change: keep the two in step.
 */

/** The dashboard: the user's clients, resource servers, authorized applications and personal access tokens. */
export function renderDashboardPage(page: DashboardPage): string {
  const body = html`<h1>Dashboard</h1>
<noscript><p class="errors">Changes on this page need JavaScript.</p></noscript>
${clientsSection(page.clients)}
${resourcesSection(page.resources, page.defaultTokenTtl)}
${authorizedSection(page.authorized)}
${tokensSection(page.personalTokens, page.scopes)}
<script src="${page.script}" defer></script>`;
  const head = html`<link rel="stylesheet" href="${page.stylesheet}">`;
  return layout({ title: 'Dashboard', appName: page.appName, csrfToken: page.csrfToken, userName: page.userName, body, head });
}

function list(id: string, empty: string, items: SafeHtml[]): SafeHtml {
  return html`<ul id="${id}" class="items" data-empty="${empty}">${items.length > 0 ? items : html`<li class="empty">${empty}</li>`}</ul>`;
}

function status(id: string): SafeHtml {
  return html`<p id="${id}" class="status" role="status" aria-live="polite"></p>`;
}

/** A labelled text field with its error slot; the error is announced through aria-describedby. */
function field(options: { id: string; name: string; label: string; hint?: string | SafeHtml; optional?: boolean; attributes?: SafeHtml }): SafeHtml {
  const { id, name, label, hint } = options;
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  return html`<label for="${id}">${label}</label>
<input id="${id}" name="${name}" type="text"${options.optional ? '' : html` required`} aria-describedby="${described}"${options.attributes ?? ''}>
${hint ? html`<p id="${id}-hint" class="hint">${hint}</p>` : ''}
<p id="${id}-error" class="field-error" data-error-for="${name}" hidden></p>`;
}

function formAlert(): SafeHtml {
  return html`<p class="form-alert" role="alert" hidden></p>`;
}

function clientsSection(clients: readonly DashboardClient[]): SafeHtml {
  return html`<section class="panel" aria-labelledby="clients-heading">
<h2 id="clients-heading">OAuth clients</h2>
<p class="muted">Applications you build that sign people in with this server.</p>
${status('clients-status')}
${list('clients-list', 'You have not created any OAuth clients.', clients.map(clientItem))}
<div id="client-created" class="reveal" hidden tabindex="-1" aria-labelledby="client-created-heading">
<h3 id="client-created-heading">Client created</h3>
<p class="secret-note" data-when="confidential"><strong>Copy the client secret now: it will not be shown again.</strong></p>
<p class="secret-note" data-when="public">A public client has no secret: it proves itself with PKCE.</p>
<label for="new-client-id">Client ID</label>
<input id="new-client-id" type="text" readonly class="mono">
<div data-when="confidential">
<label for="new-client-secret">Client secret</label>
<input id="new-client-secret" type="text" readonly class="mono">
</div>
<div class="actions">
<button type="button" data-action="copy" data-copy="new-client-secret" data-when="confidential">Copy secret</button>
<button type="button" data-action="copy" data-copy="new-client-id" class="secondary">Copy client ID</button>
<button type="button" data-action="dismiss" class="secondary">Done</button>
</div>
</div>
<form id="client-create" class="subform" novalidate aria-labelledby="client-create-heading">
<h3 id="client-create-heading">Create a client</h3>
${formAlert()}
${field({ id: 'client-name', name: 'name', label: 'Name', attributes: html` maxlength="191" autocomplete="off"` })}
${field({ id: 'client-redirect', name: 'redirect', label: 'Redirect URIs', hint: 'One or more absolute URIs, separated by commas.', attributes: html` inputmode="url" autocomplete="off" placeholder="https://app.example.com/callback"` })}
<div class="check">
<input id="client-confidential" name="confidential" type="checkbox" checked aria-describedby="client-confidential-hint">
<label for="client-confidential">Confidential client</label>
</div>
<p id="client-confidential-hint" class="hint">A server-side application that can keep a secret. Leave unchecked for mobile, desktop and browser apps: they use PKCE instead.</p>
<div class="actions"><button type="submit">Create client</button></div>
</form>
</section>`;
}

function clientItem(client: DashboardClient): SafeHtml {
  const uris = client.redirect.split(',').filter((uri) => uri !== '');
  return html`<li class="item" data-id="${client.id}" data-name="${client.name}" data-redirect="${client.redirect}">
<div class="item-main">
<h3 class="item-title">${client.name}</h3>
<dl class="meta">
<div><dt>Client ID</dt><dd><code>${client.id}</code></dd></div>
<div><dt>Redirect URIs</dt><dd>${uris.map((uri) => html`<code>${uri}</code> `)}</dd></div>
</dl>
</div>
<div class="item-actions">
<button type="button" class="secondary" data-action="edit-client">Edit<span class="visually-hidden"> ${client.name}</span></button>
<button type="button" class="danger" data-action="delete-client">Delete<span class="visually-hidden"> ${client.name}</span></button>
</div>
</li>`;
}

function resourcesSection(resources: readonly DashboardResource[], defaultTtl: number): SafeHtml {
  return html`<section class="panel" aria-labelledby="resources-heading" data-default-ttl="${defaultTtl}">
<h2 id="resources-heading">Resource servers</h2>
<p class="muted">Your APIs and MCP servers that accept this server's tokens. A client that names one in <code>resource</code> gets tokens for that server alone. Deleting one stops new tokens for it; tokens already issued last until they expire.</p>
${status('resources-status')}
${list('resources-list', 'You have not registered any resource servers.', resources.map((resource) => resourceItem(resource, defaultTtl)))}
<form id="resource-create" class="subform" novalidate aria-labelledby="resource-create-heading">
<h3 id="resource-create-heading">Register a resource server</h3>
${formAlert()}
${field({ id: 'resource-uri', name: 'uri', label: 'URI', hint: html`An absolute https URI, as clients send it in <code>resource</code> (plain http only for localhost).`, attributes: html` inputmode="url" maxlength="2048" autocomplete="off" placeholder="https://mcp.example.com/mcp"` })}
${field({ id: 'resource-name', name: 'name', label: 'Name', hint: 'Shown to people on the consent page.', attributes: html` maxlength="191" autocomplete="off"` })}
${field({ id: 'resource-scopes', name: 'scopes', label: 'Scopes (optional)', hint: 'Separated by spaces. Leave empty to allow any scope of this server.', optional: true, attributes: html` autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="notes:read notes:write"` })}
${field({ id: 'resource-ttl', name: 'token_ttl', label: 'Token lifetime in minutes (optional)', hint: `How long its access tokens last. Leave empty for the default (${duration(defaultTtl)}).`, optional: true, attributes: html` inputmode="numeric" autocomplete="off"` })}
<div class="actions"><button type="submit">Register resource server</button></div>
</form>
</section>`;
}

function resourceItem(resource: DashboardResource, defaultTtl: number): SafeHtml {
  const scopes = resource.scopes && resource.scopes.length > 0 ? resource.scopes.join(' ') : 'any scope';
  const ttl = resource.token_ttl === null ? `default (${duration(defaultTtl)})` : duration(resource.token_ttl);
  return html`<li class="item" data-id="${resource.id}" data-name="${resource.name}">
<div class="item-main">
<h3 class="item-title">${resource.name}</h3>
<dl class="meta">
<div><dt>URI</dt><dd><code>${resource.uri}</code></dd></div>
<div><dt>Scopes</dt><dd>${scopes}</dd></div>
<div><dt>Token lifetime</dt><dd>${ttl}</dd></div>
</dl>
</div>
<div class="item-actions">
<button type="button" class="danger" data-action="delete-resource">Delete<span class="visually-hidden"> ${resource.name}</span></button>
</div>
</li>`;
}

function authorizedSection(tokens: readonly DashboardToken[]): SafeHtml {
  return html`<section class="panel" aria-labelledby="authorized-heading">
<h2 id="authorized-heading">Authorized applications</h2>
<p class="muted">Applications you have allowed to use your account. Revoking one signs it out.</p>
${status('authorized-status')}
${list('authorized-list', 'You have not authorized any applications.', tokens.map((token) => tokenItem(token, token.client.name, 'revoke-authorized')))}
</section>`;
}

function tokensSection(tokens: readonly DashboardToken[], scopes: DashboardPage['scopes']): SafeHtml {
  return html`<section class="panel" aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Personal access tokens</h2>
<p class="muted">Tokens for your own scripts, used as <code>Authorization: Bearer …</code>.</p>
${status('tokens-status')}
${list('tokens-list', 'You have no personal access tokens.', tokens.map((token) => tokenItem(token, token.name ?? '', 'revoke-token')))}
<div id="token-created" class="reveal" hidden tabindex="-1" aria-labelledby="token-created-heading">
<h3 id="token-created-heading">Token created</h3>
<p><strong>Copy the token now: it will not be shown again.</strong></p>
<label for="new-token">Personal access token</label>
<textarea id="new-token" readonly rows="5" class="mono"></textarea>
<div class="actions">
<button type="button" data-action="copy" data-copy="new-token">Copy token</button>
<button type="button" data-action="dismiss" class="secondary">Done</button>
</div>
</div>
<form id="token-create" class="subform" novalidate aria-labelledby="token-create-heading">
<h3 id="token-create-heading">Create a token</h3>
${formAlert()}
${field({ id: 'token-name', name: 'name', label: 'Name', attributes: html` maxlength="191" autocomplete="off"` })}
<fieldset aria-describedby="token-scopes-error">
<legend>Scopes</legend>
${scopes.length > 0 ? scopes.map(scopeCheckbox) : html`<p class="muted">No scopes are declared.</p>`}
<p id="token-scopes-error" class="field-error" data-error-for="scopes" hidden></p>
</fieldset>
<div class="actions"><button type="submit">Create token</button></div>
</form>
</section>`;
}

function scopeCheckbox(scope: { id: string; description: string }, index: number): SafeHtml {
  return html`<div class="check">
<input id="scope-${index}" name="scopes" type="checkbox" value="${scope.id}">
<label for="scope-${index}">${scope.description} <code>${scope.id}</code></label>
</div>`;
}

/** A token in a list: an authorized application (titled by its client) or a personal access token (by its name). */
function tokenItem(token: DashboardToken, title: string, action: string): SafeHtml {
  return html`<li class="item" data-id="${token.id}" data-name="${title}">
<div class="item-main">
<h3 class="item-title">${title}</h3>
<dl class="meta">
<div><dt>Scopes</dt><dd>${token.scopes.length > 0 ? token.scopes.join(', ') : 'none'}</dd></div>
<div><dt>Created</dt><dd>${day(token.created_at)}</dd></div>
<div><dt>Expires</dt><dd>${day(token.expires_at)}</dd></div>
</dl>
</div>
<div class="item-actions">
<button type="button" class="danger" data-action="${action}">Revoke<span class="visually-hidden"> ${title}</span></button>
</div>
</li>`;
}

/** A lifetime in its largest whole unit (`15 minutes`, `1 hour`, `90 seconds`), as the script shows it too. */
function duration(seconds: number): string {
  const units: [number, string][] = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute'], [1, 'second']];
  const [size, unit] = units.find(([size]) => seconds % size === 0) ?? [1, 'second'];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** The date of a JSON timestamp, as the script shows it too. */
function day(timestamp: string | null): SafeHtml | string {
  if (!timestamp) return 'never';
  return html`<time datetime="${timestamp}">${timestamp.slice(0, 10)}</time>`;
}
