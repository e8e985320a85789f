import { SafeHtml, html } from '../../web/html.js';
import type { JsonSchema, Operation, Parameter, SecurityScheme } from './document.js';
import { anchorOf, requestMedia } from './document.js';
import { mediaExample, primaryType } from './examples.js';
import { requestExample } from './request-example.js';
import { describeRequirement } from './security.js';
import { curlSnippet, fetchSnippet } from './snippets.js';

/** One operation of the docs page: what it does, who may call it, its inputs, examples and answers. */

export interface OperationContext {
  baseUrl: string;
  schemes: Record<string, SecurityScheme>;
}

export function operationSection(entry: Operation, context: OperationContext): SafeHtml {
  const { method, path, operation } = entry;
  const parameters = operation.parameters ?? [];
  const example = requestExample(entry);
  return html`<section class="op" id="${anchorOf(method, path)}" aria-labelledby="${anchorOf(method, path)}-title">
<h3 id="${anchorOf(method, path)}-title">${methodBadge(method)} <code>${path}</code></h3>
${operation.summary ? html`<p class="summary">${operation.summary}</p>` : ''}
${operation.description ? html`<p>${inline(operation.description)}</p>` : ''}
${authLine(entry, context)}
${parameterTable('Path parameters', parameters.filter((parameter) => parameter.in === 'path'))}
${parameterTable('Query parameters', parameters.filter((parameter) => parameter.in === 'query'))}
${bodyTable(entry)}
<h4>Example request</h4>
<div class="examples">
<div><p class="lang">curl</p>${codeBlock(curlSnippet(example, context.baseUrl))}</div>
<div><p class="lang">JavaScript</p>${codeBlock(fetchSnippet(example, context.baseUrl))}</div>
</div>
${responseList(entry)}
</section>`;
}

export function methodBadge(method: string): SafeHtml {
  return html`<span class="method m-${method.toLowerCase()}">${method}</span>`;
}

/**
 * A code block. Element content needs only `&`, `<` and `>` escaped, so the quotes of the code
 * stay as written in the page source too.
 */
function codeBlock(code: string): SafeHtml {
  return new SafeHtml(`<pre><code>${code.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code></pre>`);
}

/** Text with `inline code`, escaped: the descriptions use Markdown's backticks. */
export function inline(text: string): SafeHtml {
  return html`${text.split('`').map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function authLine({ operation }: Operation, context: OperationContext): SafeHtml | string {
  const security = operation.security;
  if (security === undefined) return '';
  const ways = security.length === 0 ? 'None' : security.map((requirement) => describeRequirement(requirement, context.schemes)).join(' or ');
  return html`<p class="auth"><strong>Authentication:</strong> ${inline(ways)}</p>`;
}

function parameterTable(title: string, parameters: Parameter[]): SafeHtml | string {
  if (parameters.length === 0) return '';
  const rows = parameters.map((parameter) => fieldRow(parameter.name, parameter.schema ?? {}, parameter.required === true, parameter.description, parameter.example));
  return html`<h4>${title}</h4>${fieldTable(rows)}`;
}

function bodyTable(entry: Operation): SafeHtml | string {
  const body = requestMedia(entry.operation);
  if (!body) return '';
  const schema = body.media.schema ?? {};
  const types = Object.keys(entry.operation.requestBody?.content ?? {});
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => fieldRow(name, property, required.has(name), property.description));
  return html`<h4>Body</h4>
<p class="muted">${types.map((type, index) => html`${index > 0 ? ' or ' : ''}<code>${type}</code>`)}</p>
${rows.length > 0 ? fieldTable(rows) : ''}`;
}

function fieldTable(rows: SafeHtml[]): SafeHtml {
  return html`<div class="table"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

function fieldRow(name: string, schema: JsonSchema, required: boolean, description: string | undefined, example?: unknown): SafeHtml {
  // A description that already states a rule ("At least 8 characters.") is not repeated.
  const notes = constraints(schema, example).filter((note) => !description?.includes(note));
  return html`<tr><td><code>${name}</code></td><td>${typeLabel(schema)}</td><td>${required ? 'required' : 'optional'}</td>
<td>${description ? inline(description) : ''}${notes.length > 0 ? html`<span class="muted">${description ? ' ' : ''}${notes.join('; ')}.</span>` : ''}</td></tr>`;
}

/** A short type for a schema: `string (email)`, `array of string`, `boolean | "1" | "0"`. */
export function typeLabel(schema: JsonSchema): string {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return [...new Set(branches.map(typeLabel))].join(' | ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum?.length === 1) return JSON.stringify(schema.enum[0]);
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  const type = primaryType(schema) ?? 'any';
  if (type === 'array') return `array of ${typeLabel(schema.items ?? {})}`;
  return schema.format ? `${type} (${schema.format})` : type;
}

function constraints(schema: JsonSchema, example: unknown): string[] {
  const notes: string[] = [];
  if (schema.enum && schema.enum.length > 1) notes.push(`One of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`);
  const itemEnum = schema.items?.enum;
  if (itemEnum && itemEnum.length > 0) notes.push(`Each one of ${itemEnum.map((value) => JSON.stringify(value)).join(', ')}`);
  if (schema.minLength !== undefined && schema.minLength > 1) notes.push(`At least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) notes.push(`At most ${schema.maxLength} characters`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) notes.push(`From ${schema.minimum} to ${schema.maximum}`);
  else if (schema.minimum !== undefined) notes.push(`At least ${schema.minimum}`);
  else if (schema.maximum !== undefined) notes.push(`At most ${schema.maximum}`);
  if (schema.default !== undefined) notes.push(`Default ${JSON.stringify(schema.default)}`);
  const shown = example ?? schema.examples?.[0] ?? schema.example;
  if (shown !== undefined) notes.push(`Example ${JSON.stringify(shown)}`);
  return notes;
}

function responseList({ operation }: Operation): SafeHtml {
  const entries = Object.entries(operation.responses).map(([status, response]) => {
    const [type] = Object.keys(response.content ?? {});
    const media = type === undefined ? undefined : response.content?.[type];
    const value = media ? mediaExample(media) : undefined;
    const body = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 4);
    const location = response.headers?.Location ? html` <span class="muted">(<code>Location</code> header)</span>` : '';
    return html`<li><p><span class="status s${status.charAt(0)}">${status}</span> ${inline(response.description)}${location}</p>
${body ? codeBlock(body) : ''}</li>`;
  });
  return html`<h4>Responses</h4><ul class="responses">${entries}</ul>`;
}
