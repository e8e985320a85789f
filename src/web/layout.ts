import { SafeHtml, html } from './html.js';

export interface LayoutOptions {
  title: string;
  appName: string;
  /** The session's CSRF token, for the logout form and for scripts (`<meta name="csrf-token">`). */
  csrfToken?: string;
  /** The logged-in user's name, shown with a logout button. */
  userName?: string;
  body: SafeHtml;
  /** Extra `<head>` content, such as a page's stylesheet. */
  head?: SafeHtml;
  /** Pages that do not know who is logged in (error pages) show only the application's name. */
  bareHeader?: boolean;
}

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f3f4f6;line-height:1.5}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #e5e7eb}
header a{color:inherit;text-decoration:none;font-weight:600}
header form{display:inline}
main{max-width:32rem;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:.5rem;padding:1.5rem}
.notice{margin:1rem 0;padding:.75rem 1rem;background:#fffbeb;border:1px solid #fcd34d;border-left:4px solid #d97706;border-radius:.375rem}
.notice p{margin:0}
.notice p+p{margin-top:.5rem}
ul.resources{padding-left:1.1rem}
h1{font-size:1.35rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{width:100%;padding:.6rem .7rem;font-size:1rem;border:1px solid #9ca3af;border-radius:.375rem}
input:focus,button:focus{outline:3px solid #93c5fd;outline-offset:1px}
button{font-size:1rem;padding:.6rem 1.1rem;border-radius:.375rem;border:1px solid #1d4ed8;background:#2563eb;color:#fff;cursor:pointer;min-height:2.75rem}
button.secondary{background:#fff;color:#1f2937;border-color:#9ca3af}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.25rem}
.errors{background:#fef2f2;border:1px solid #fecaca;color:#991b1b;border-radius:.375rem;padding:.75rem 1rem;margin-bottom:1rem}
.errors ul{margin:0;padding-left:1.1rem}
ul.scopes{padding-left:1.1rem}
.muted{color:#4b5563}
.hint{margin:.25rem 0 0;font-size:.875rem;color:#4b5563}
`;

// A constant, trusted stylesheet: escaped, its quotes ("Segoe UI") became &quot; and the font rule was dropped.
const LAYOUT_STYLE = new SafeHtml(STYLE);

/** The page shell: accessible, readable on a phone, no external resources. */
export function layout(options: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.csrfToken ? html`<meta name="csrf-token" content="${options.csrfToken}">` : ''}
<title>${options.title} · ${options.appName}</title>
<style>${LAYOUT_STYLE}</style>
${options.head ?? ''}
</head>
<body>
<header>
<a href="/">${options.appName}</a>
${options.bareHeader ? '' : options.userName ? userMenu(options.userName, options.csrfToken ?? '') : html`<span><a href="/login">Log in</a> · <a href="/register">Register</a></span>`}
</header>
<main id="content">
${options.body}
</main>
</body>
</html>`.value;
}

function userMenu(name: string, csrfToken: string): SafeHtml {
  return html`<span><a href="/dashboard">Dashboard</a> <span class="muted">${name}</span>
<form method="post" action="/logout"><input type="hidden" name="_token" value="${csrfToken}"> <button type="submit" class="secondary">Log out</button></form></span>`;
}

/** A list of messages for the top of a form, announced to screen readers. */
export function errorList(errors: readonly string[]): SafeHtml | string {
  if (errors.length === 0) return '';
  return html`<div class="errors" role="alert" id="form-errors"><ul>${errors.map((error) => html`<li>${error}</li>`)}</ul></div>`;
}
