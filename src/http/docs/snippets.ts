import { SESSION_COOKIE } from '../plugins/session.js';
import type { RequestExample } from './request-example.js';
import { exampleUrl, formFields } from './request-example.js';

/**
 * The example requests of the docs page, in curl and in JavaScript (fetch). `{token}`,
 * `{session}` and `{csrf_token}` are the placeholders the reader replaces, as in the reference.
 */

const CSRF_HEADER = 'X-CSRF-TOKEN';

/** POSIX shell single quotes: nothing inside is expanded (bodies). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** POSIX shell double quotes, as the reference writes URLs and headers; `{token}` stays literal. */
function shellDoubleQuote(value: string): string {
  return `"${value.replace(/["\\$`]/g, '\\$&')}"`;
}

function headersOf(example: RequestExample, forBrowser: boolean): [string, string][] {
  const headers: [string, string][] = [['Accept', example.accept]];
  if (example.body) headers.push(['Content-Type', example.body.contentType]);
  if (example.auth === 'bearer') headers.push(['Authorization', 'Bearer {token}']);
  // A page script sends the session cookie by itself (`credentials`); curl must name it.
  if (example.auth === 'session' && !forBrowser) headers.push(['Cookie', `${SESSION_COOKIE}={session}`]);
  const changes = example.method !== 'GET';
  if ((example.auth === 'session' && changes) || example.auth === 'csrf') headers.push([CSRF_HEADER, '{csrf_token}']);
  return headers;
}

/** The query string of a GET travels as `-G --data-urlencode` lines: readable, and curl encodes it. */
export function curlSnippet(example: RequestExample, baseUrl: string): string {
  const query = queryOf(example);
  const url = query.length > 0 ? baseUrl + example.path.replace(/\{(\w+)\}/g, (_match, name: string) => pathValue(example, name)) : baseUrl + exampleUrl(example);
  const lines = [`curl -X ${example.method}${query.length > 0 ? ' -G' : ''} ${shellDoubleQuote(url)}`];
  for (const [name, value] of headersOf(example, false)) lines.push(`-H ${shellDoubleQuote(`${name}: ${value}`)}`);
  for (const [name, value] of query) lines.push(`--data-urlencode ${shellDoubleQuote(`${name}=${value}`)}`);
  if (example.body?.form) {
    for (const [name, value] of formFields(example.body.value)) lines.push(`--data-urlencode ${shellDoubleQuote(`${name}=${value}`)}`);
  } else if (example.body) {
    lines.push(`-d ${shellQuote(JSON.stringify(example.body.value, null, 2))}`);
  }
  return lines.join(' \\\n    ');
}

export function fetchSnippet(example: RequestExample, baseUrl: string): string {
  const headers = headersOf(example, true)
    .map(([name, value]) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)},`)
    .join('\n');
  const options = [`  method: ${JSON.stringify(example.method)},`, `  headers: {\n${headers}\n  },`];
  if (example.auth === 'session' || example.auth === 'csrf') options.push('  credentials: "include",');
  if (example.body?.form) {
    const fields = formFields(example.body.value).map(([name, value]) => `    [${JSON.stringify(name)}, ${JSON.stringify(value)}],`);
    options.push(`  body: new URLSearchParams([\n${fields.join('\n')}\n  ]),`);
  } else if (example.body) {
    options.push(`  body: JSON.stringify(${indent(JSON.stringify(example.body.value, null, 2), '  ')}),`);
  }
  const read = {
    json: ['const body = await response.json();', 'console.log(response.status, body);'],
    text: ['const body = await response.text();', 'console.log(response.status, body);'],
    none: ['console.log(response.status);'],
  }[example.answer];
  const query = queryOf(example);
  if (query.length === 0) return [`const response = await fetch(${JSON.stringify(baseUrl + exampleUrl(example))}, {`, ...options, '});', ...read].join('\n');
  const path = example.path.replace(/\{(\w+)\}/g, (_match, name: string) => pathValue(example, name));
  const search = query.map(([name, value]) => `  ${JSON.stringify(name)}: ${JSON.stringify(value)},`);
  return [
    `const url = new URL(${JSON.stringify(baseUrl + path)});`,
    `url.search = new URLSearchParams({\n${search.join('\n')}\n});`,
    'const response = await fetch(url, {',
    ...options,
    '});',
    ...read,
  ].join('\n');
}

/** The query parameters a GET example sends (other methods keep them in the URL). */
function queryOf(example: RequestExample): [string, string][] {
  if (example.method !== 'GET') return [];
  return example.query.filter((param) => param.include).map((param) => [param.name, param.value]);
}

function pathValue(example: RequestExample, name: string): string {
  return encodeURIComponent(example.pathParams.find((param) => param.name === name)?.value ?? name);
}

function indent(text: string, prefix: string): string {
  return text.split('\n').join(`\n${prefix}`);
}
