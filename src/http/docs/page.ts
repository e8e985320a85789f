import { SafeHtml, html } from '../../web/html.js';
import { layout } from '../../web/layout.js';
import type { OpenApiDocument, Operation } from './document.js';
import { anchorOf, operationsByTag } from './document.js';
import type { OperationContext } from './operation-html.js';
import { inline, methodBadge, operationSection } from './operation-html.js';
import { describeRequirement } from './security.js';

/**
 * `GET /docs`: the API reference as one server-rendered page, written from the OpenAPI
 * document (no script, no external asset: the CSP is `default-src 'self'`).
 */

export const DOCS_PATHS = { page: '/docs', openapi: '/docs/openapi.json', collection: '/docs/collection.json' } as const;

// The layout's column suits forms; a reference needs room for tables and code.
const STYLE = `
main{max-width:78rem}
.docs{display:grid;grid-template-columns:minmax(0,15rem) minmax(0,1fr);gap:2rem;align-items:start}
.toc{position:sticky;top:1rem;max-height:calc(100vh - 2rem);overflow:auto;font-size:.875rem}
.toc h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#4b5563;margin:1rem 0 .25rem}
.toc ul{list-style:none;margin:0;padding:0}
.toc li{margin:.2rem 0}
.toc a{color:inherit;text-decoration:none;overflow-wrap:anywhere}
.toc a:hover,.toc a:focus{text-decoration:underline}
.toc .method{min-width:3.6rem}
.reference h1{font-size:1.75rem}
.reference h2{font-size:1.35rem;margin:2.5rem 0 .5rem;padding-bottom:.25rem;border-bottom:2px solid #e5e7eb}
.op{background:#fff;border:1px solid #e5e7eb;border-radius:.5rem;padding:1rem 1.25rem;margin:1rem 0;overflow-wrap:anywhere}
.op h3{font-size:1.05rem;margin:0 0 .5rem}
.op h4{font-size:.95rem;margin:1.25rem 0 .4rem}
.summary{font-weight:600;margin:.25rem 0}
.method{display:inline-block;min-width:4.4rem;text-align:center;font:700 .75rem/1.7 ui-monospace,SFMono-Regular,Menlo,monospace;border-radius:.25rem;padding:0 .35rem;color:#fff;vertical-align:middle}
.m-get{background:#047857}.m-post{background:#1d4ed8}.m-put{background:#92400e}.m-patch{background:#6d28d9}.m-delete{background:#b91c1c}
.status{display:inline-block;font:700 .8rem/1.6 ui-monospace,monospace;border-radius:.25rem;padding:0 .4rem;background:#e5e7eb}
.s2{background:#d1fae5;color:#065f46}.s3{background:#dbeafe;color:#1e3a8a}.s4{background:#fef3c7;color:#78350f}.s5{background:#fee2e2;color:#7f1d1d}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
pre{background:#111827;color:#f9fafb;padding:.75rem 1rem;border-radius:.375rem;overflow:auto;font-size:.8rem;line-height:1.45;margin:.25rem 0 .75rem}
pre code{font-size:inherit}
.examples{display:grid;grid-template-columns:minmax(0,1fr);gap:.25rem}
.lang{margin:.5rem 0 0;font-size:.8rem;font-weight:600;color:#4b5563}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.875rem}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #e5e7eb}
th{background:#f9fafb}
td:nth-child(3),th:nth-child(3),td:first-child{white-space:nowrap}
ul.responses{list-style:none;padding:0;margin:0}
ul.responses p{margin:.4rem 0 .2rem}
.links a{font-weight:600}
table{overflow-wrap:normal}
@media (max-width:56rem){.docs{grid-template-columns:minmax(0,1fr)}.toc{position:static;max-height:none}}
`;

export function renderDocsPage(document: OpenApiDocument, appName: string): string {
  const groups = operationsByTag(document);
  const descriptions = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
  const context: OperationContext = { baseUrl: document.servers?.[0]?.url ?? '', schemes: document.components?.securitySchemes ?? {} };
  const sections = [...groups].map(
    ([tag, operations]) => html`<section id="${tagAnchor(tag)}" aria-labelledby="${tagAnchor(tag)}-title">
<h2 id="${tagAnchor(tag)}-title">${tag}</h2>
${descriptions.get(tag) ? html`<p>${inline(descriptions.get(tag) ?? '')}</p>` : ''}
${operations.map((operation) => operationSection(operation, context))}
</section>`,
  );
  const body = html`<div class="docs">
${tableOfContents(groups)}
<div class="reference">
<h1>${document.info.title}</h1>
${document.info.description ? html`<p>${inline(document.info.description)}</p>` : ''}
<p>Version <code>${document.info.version}</code> · Base URL <code>${context.baseUrl}</code></p>
<p class="links"><a href="${DOCS_PATHS.collection}" download="collection.json">Postman collection</a> · <a href="${DOCS_PATHS.openapi}">OpenAPI 3.1 document</a></p>
${authenticationSection(context)}
${sections}
</div>
</div>`;
  return layout({ title: 'API reference', appName, body, head: html`<style>${new SafeHtml(STYLE)}</style>` });
}

function tableOfContents(groups: Map<string, Operation[]>): SafeHtml {
  return html`<nav class="toc" aria-label="Routes">
${[...groups].map(
  ([tag, operations]) => html`<h2><a href="#${tagAnchor(tag)}">${tag}</a></h2>
<ul>${operations.map((operation) => html`<li><a href="#${anchorOf(operation.method, operation.path)}">${methodBadge(operation.method)} ${operation.path}</a></li>`)}</ul>`,
)}
</nav>`;
}

function authenticationSection(context: OperationContext): SafeHtml {
  const schemes = Object.entries(context.schemes);
  return html`<section id="authentication" aria-labelledby="authentication-title">
<h2 id="authentication-title">Authentication</h2>
<p>Each route names the ways in it accepts. In the examples, replace <code>{token}</code> with an access token, <code>{session}</code> with the session cookie and <code>{csrf_token}</code> with the session’s CSRF token.</p>
<ul>${schemes.map(([name, scheme]) => html`<li><strong>${describeRequirement({ [name]: [] }, context.schemes)}</strong>${scheme.type === 'apiKey' ? html` (<code>${scheme.name}</code> ${scheme.in})` : ''}: ${inline(scheme.description ?? '')}</li>`)}</ul>
</section>`;
}

function tagAnchor(tag: string): string {
  return `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}
