/**
 * The part of an OpenAPI 3.1 document the docs page and the Postman collection read, and a
 * flat list of its operations. Both are generated from the one document @fastify/swagger builds
 * from the route schemas, so the three views of the API never disagree.
 */

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it), read loosely. */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  additionalProperties?: boolean | JsonSchema;
}

export interface MediaType {
  schema?: JsonSchema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
  example?: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description?: string; schema?: JsonSchema }>;
  content?: Record<string, MediaType>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
}

export type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string; description?: string };

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components?: { securitySchemes?: Record<string, SecurityScheme>; schemas?: Record<string, JsonSchema> };
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** One route of the document, with its method and path beside it. */
export interface Operation {
  method: string;
  path: string;
  tag: string;
  operation: OperationObject;
}

/** Every operation, grouped by tag in the document's tag order (then any other tag, by name). */
export function operationsByTag(document: OpenApiDocument): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const tag of document.tags ?? []) groups.set(tag.name, []);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      const group = groups.get(tag) ?? [];
      group.push({ method: method.toUpperCase(), path, tag, operation });
      groups.set(tag, group);
    }
  }
  for (const [tag, operations] of groups) if (operations.length === 0) groups.delete(tag);
  return groups;
}

/** The request body's media types, preferring the first the route declares. */
export function requestMedia(operation: OperationObject): { type: string; media: MediaType } | undefined {
  const content = operation.requestBody?.content;
  if (!content) return undefined;
  const [type] = Object.keys(content);
  const media = type === undefined ? undefined : content[type];
  return type === undefined || !media ? undefined : { type, media };
}

/** A stable HTML anchor for an operation: `post-api-users`. */
export function anchorOf(method: string, path: string): string {
  const slug = path
    .toLowerCase()
    .replace(/[{}]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `${method.toLowerCase()}-${slug}`;
}
