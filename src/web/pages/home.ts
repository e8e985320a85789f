import { html } from '../html.js';
import { layout } from '../layout.js';

export interface HomePage {
  appName: string;
  csrfToken?: string;
  user?: { name: string; email: string };
}

export function renderHomePage(page: HomePage): string {
  const body = page.user
    ? html`<div class="card">
<h1>Welcome, ${page.user.name}</h1>
<p>You are logged in as <strong>${page.user.email}</strong>.</p>
<ul>
<li><a href="/dashboard">Your OAuth clients and tokens</a></li>
<li><a href="/docs">API reference</a></li>
</ul>
</div>`
    : html`<div class="card">
<h1>${page.appName}</h1>
<p>You are not logged in.</p>
<div class="actions"><a href="/login">Log in</a></div>
</div>`;
  return layout({ title: 'Home', appName: page.appName, csrfToken: page.csrfToken, userName: page.user?.name, body });
}
