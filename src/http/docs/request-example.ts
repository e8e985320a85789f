import type { JsonSchema, Operation, OperationObject, Parameter } from './document.js';
import { requestMedia } from './document.js';
import { exampleFor, mediaExample } from './examples.js';

/**
 * One example request of an operation, in parts, so the curl and JavaScript snippets and the
 * Postman collection are all written from the same values.
 */
export interface RequestExample {
  method: string;
  /** The OpenAPI path template, e.g. `/oauth/clients/{client_id}`. */
  path: string;
  pathParams: ExampleParam[];
  /** Every query parameter; `include` marks those an example request sends. */
  query: (ExampleParam & { include: boolean })[];
  /** How the example authenticates: the first way in the operation's `security` names. */
  auth: 'bearer' | 'session' | 'csrf' | 'none';
  accept: string;
  body?: { contentType: string; form: boolean; value: unknown };
  /** What the success answer carries, so a snippet reads it the right way. */
  answer: 'json' | 'text' | 'none';
}

export interface ExampleParam {
  name: string;
  value: string;
  required: boolean;
  description?: string;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

export function requestExample({ method, path, operation }: Operation): RequestExample {
  const parameters = operation.parameters ?? [];
  const body = requestMedia(operation);
  const answer = successContentType(operation);
  return {
    method,
    path,
    pathParams: parameters.filter((parameter) => parameter.in === 'path').map(exampleParam),
    query: parameters
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => ({ ...exampleParam(parameter), include: parameter.required === true || parameter.example !== undefined || hasDeclaredExample(parameter.schema) })),
    auth: authOf(operation),
    accept: answer?.startsWith('text/html') ? 'text/html' : 'application/json',
    ...(body ? { body: { contentType: body.type, form: body.type === FORM_TYPE, value: mediaExample(body.media) } } : {}),
    answer: answer === undefined ? 'none' : answer.includes('json') ? 'json' : 'text',
  };
}

/** The path with the example values of its parameters, and the query string an example sends. */
export function exampleUrl(example: RequestExample): string {
  let path = example.path;
  for (const param of example.pathParams) path = path.replace(`{${param.name}}`, encodeURIComponent(param.value));
  const query = new URLSearchParams(example.query.filter((param) => param.include).map((param): [string, string] => [param.name, param.value]));
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/** Form fields as strings (arrays as repeated `name[]`, as Laravel reads them). */
export function formFields(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, field]): [string, string][] =>
    Array.isArray(field) ? field.map((item): [string, string] => [`${name}[]`, String(item)]) : [[name, typeof field === 'string' ? field : JSON.stringify(field)]],
  );
}

function exampleParam(parameter: Parameter): ExampleParam {
  const value = parameter.example ?? exampleFor(parameter.schema, parameter.name);
  return {
    name: parameter.name,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    required: parameter.required === true,
    ...(parameter.description ? { description: parameter.description } : {}),
  };
}

function hasDeclaredExample(schema: JsonSchema | undefined): boolean {
  return schema !== undefined && (schema.examples !== undefined || schema.example !== undefined || schema.default !== undefined);
}

function authOf(operation: OperationObject): RequestExample['auth'] {
  const first = operation.security?.[0] ?? {};
  if ('bearerAuth' in first) return 'bearer';
  if ('sessionCookie' in first) return 'session';
  if ('csrfHeader' in first) return 'csrf';
  return 'none';
}

/** The content type of the first 2xx answer that has a body. */
function successContentType(operation: OperationObject): string | undefined {
  const success = Object.entries(operation.responses)
    .filter(([status]) => status.startsWith('2'))
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [, response] of success) {
    const [type] = Object.keys(response.content ?? {});
    if (type) return type;
  }
  return undefined;
}
