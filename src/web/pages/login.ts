import { html } from '../html.js';
import { errorList, layout } from '../layout.js';

export interface LoginPage {
  appName: string;
  csrfToken: string;
  errors: readonly string[];
  /** The email typed last time, so a failed attempt need not retype it. */
  email?: string;
}

export function renderLoginPage(page: LoginPage): string {
  const invalid = page.errors.length > 0;
  const body = html`<div class="card">
<h1>Log in</h1>
${errorList(page.errors)}
<form method="post" action="/login" novalidate>
<input type="hidden" name="_token" value="${page.csrfToken}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${page.email ?? ''}"${invalid ? html` aria-invalid="true" aria-describedby="form-errors"` : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Log in</button></div>
</form>
</div>`;
  return layout({ title: 'Log in', appName: page.appName, csrfToken: page.csrfToken, body });
}
