import type { SafeHtml } from '../html.js';
import { html } from '../html.js';
import { errorList, layout } from '../layout.js';

export interface RegisterPage {
  appName: string;
  csrfToken: string;
  /** REGISTRATION=closed: the page says so and shows no form. */
  closed: boolean;
  errors: readonly string[];
  /** The fields the errors are about, marked invalid for assistive technology. */
  invalid: readonly string[];
  /** The input typed last time (never the password). */
  old: { name?: string; email?: string };
}

/** The registration form (Laravel Breeze's register view): name, email, password twice. */
export function renderRegisterPage(page: RegisterPage): string {
  const body = page.closed ? closedCard() : formCard(page);
  return layout({ title: page.closed ? 'Registration closed' : 'Register', appName: page.appName, csrfToken: page.csrfToken, body });
}

function closedCard(): SafeHtml {
  return html`<div class="card">
<h1>Registration is closed</h1>
<p>Registration is closed: new accounts cannot be created here. Ask an administrator for an account.</p>
<div class="actions"><a href="/login">Log in</a></div>
</div>`;
}

function formCard(page: RegisterPage): SafeHtml {
  // aria-describedby ties a field to the messages about it; an invalid field also to the error list.
  const described = (field: string, hint?: string) => {
    const bad = page.invalid.includes(field);
    const ids = [hint, bad ? 'form-errors' : undefined].filter(Boolean).join(' ');
    return html`${bad ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}`;
  };
  // Focus where the work is: the first field with a problem, else the first field.
  const focused = ['name', 'email', 'password'].find((field) => page.invalid.includes(field)) ?? 'name';
  const autofocus = (field: string) => (field === focused ? html` autofocus` : '');
  return html`<div class="card">
<h1>Register</h1>
${errorList(page.errors)}
<form method="post" action="/register" novalidate>
<input type="hidden" name="_token" value="${page.csrfToken}">
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name" required maxlength="191"${autofocus('name')} value="${page.old.name ?? ''}"${described('name')}>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required maxlength="191"${autofocus('email')} value="${page.old.email ?? ''}"${described('email')}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8"${autofocus('password')}${described('password', 'password-hint')}>
<p id="password-hint" class="hint">At least 8 characters.</p>
<label for="password_confirmation">Confirm password</label>
<input id="password_confirmation" name="password_confirmation" type="password" autocomplete="new-password" required>
<div class="actions"><button type="submit">Register</button></div>
</form>
<p class="muted">Already registered? <a href="/login">Log in</a></p>
</div>`;
}
