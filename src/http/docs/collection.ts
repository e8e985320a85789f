import { STATUS_CODES } from 'node:http';
import type { OpenApiDocument, Operation } from './document.js';
import { operationsByTag } from './document.js';
import { mediaExample } from './examples.js';
import type { RequestExample } from './request-example.js';
import { formFields, requestExample } from './request-example.js';

/**
 * A Postman Collection v2.1 of every operation of the OpenAPI document: one folder per tag,
 * `{{baseUrl}}` and a collection-wide bearer `{{token}}`, example bodies from the request
 * schemas, and the documented answers as saved examples.
 */

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

interface KeyValue {
  key: string;
  value: string;
  description?: string;
  disabled?: boolean;
  type?: string;
}

interface PostmanRequest {
  method: string;
  header: KeyValue[];
  url: { raw: string; host: string[]; path: string[]; query?: KeyValue[]; variable?: KeyValue[] };
  body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } } | { mode: 'urlencoded'; urlencoded: KeyValue[] };
  auth?: { type: 'noauth' };
  description?: string;
}

export interface PostmanCollection {
  info: { name: string; description?: string; version: string; schema: string };
  variable: KeyValue[];
  auth: { type: 'bearer'; bearer: KeyValue[] };
  item: { name: string; description?: string; item: unknown[] }[];
}

export function postmanCollection(document: OpenApiDocument, baseUrl: string): PostmanCollection {
  const descriptions = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
  const folders = [...operationsByTag(document)].map(([tag, operations]) => ({
    name: tag,
    ...(descriptions.get(tag) ? { description: descriptions.get(tag) } : {}),
    item: operations.map(postmanItem),
  }));
  return {
    info: { name: document.info.title, ...(document.info.description ? { description: document.info.description } : {}), version: document.info.version, schema: POSTMAN_SCHEMA },
    variable: [
      { key: 'baseUrl', value: baseUrl, type: 'string' },
      { key: 'token', value: '', type: 'string', description: 'An access token; the management routes need a user’s token carrying `*` (POST /api/login gives one).' },
      { key: 'csrf_token', value: '', type: 'string', description: 'The session’s CSRF token, for session requests that change something.' },
    ],
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    item: folders,
  };
}

function postmanItem(operation: Operation) {
  const example = requestExample(operation);
  const request = postmanRequest(example, operation.operation.description);
  const { description: _description, ...originalRequest } = request;
  return {
    name: operation.operation.summary ?? `${operation.method} ${operation.path}`,
    request,
    response: savedResponses(operation, originalRequest),
  };
}

function postmanRequest(example: RequestExample, description: string | undefined): PostmanRequest {
  const path = example.path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(\w+)\}$/, ':$1'));
  const included = example.query.filter((param) => param.include);
  const search = new URLSearchParams(included.map((param): [string, string] => [param.name, param.value])).toString();
  const request: PostmanRequest = {
    method: example.method,
    header: headers(example),
    url: {
      raw: `{{baseUrl}}/${path.join('/')}${search ? `?${search}` : ''}`,
      host: ['{{baseUrl}}'],
      path,
      ...(example.query.length > 0 ? { query: example.query.map((param) => keyValue(param.name, param.value, param.description, !param.include)) } : {}),
      ...(example.pathParams.length > 0 ? { variable: example.pathParams.map((param) => keyValue(param.name, param.value, param.description)) } : {}),
    },
    ...(description ? { description } : {}),
  };
  if (example.body) request.body = body(example.body);
  // The collection's bearer token is for the routes that take one; the others send none.
  if (example.auth !== 'bearer') request.auth = { type: 'noauth' };
  return request;
}

function headers(example: RequestExample): KeyValue[] {
  const list = [keyValue('Accept', example.accept)];
  if (example.body) list.push(keyValue('Content-Type', example.body.contentType));
  const changes = example.method !== 'GET';
  if ((example.auth === 'session' && changes) || example.auth === 'csrf') list.push(keyValue('X-CSRF-TOKEN', '{{csrf_token}}'));
  return list;
}

function body(requestBody: NonNullable<RequestExample['body']>): NonNullable<PostmanRequest['body']> {
  if (requestBody.form) {
    return { mode: 'urlencoded', urlencoded: formFields(requestBody.value).map(([key, value]) => ({ key, value, type: 'text' })) };
  }
  return { mode: 'raw', raw: JSON.stringify(requestBody.value, null, 2), options: { raw: { language: 'json' } } };
}

function keyValue(key: string, value: string, description?: string, disabled = false): KeyValue {
  return { key, value, ...(description ? { description } : {}), ...(disabled ? { disabled: true } : {}) };
}

/** The documented answers that have an example body, as Postman's saved examples. */
function savedResponses({ operation }: Operation, originalRequest: PostmanRequest) {
  return Object.entries(operation.responses).flatMap(([status, response]) => {
    const [type] = Object.keys(response.content ?? {});
    const media = type === undefined ? undefined : response.content?.[type];
    if (type === undefined || !media) return [];
    const value = mediaExample(media);
    const json = type.includes('json');
    return [
      {
        name: `${status} ${response.description}`,
        originalRequest,
        status: STATUS_CODES[status] ?? '',
        code: Number(status),
        header: [{ key: 'Content-Type', value: type }],
        body: json ? JSON.stringify(value, null, 2) : String(value),
        _postman_previewlanguage: json ? 'json' : type.includes('html') ? 'html' : 'text',
      },
    ];
  });
}
