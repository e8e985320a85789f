import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { publicJwks } from '../../oauth/signing-keys.js';
import type { Services } from '../../services.js';
import type { DocResponse } from './doc-schemas.js';
import type { OpenApiDocument, OperationObject } from './document.js';
import { HTTP_METHODS } from './document.js';
import { packageVersion } from './package-version.js';
import type { RouteNote } from './route-notes.js';
import { routeNotes } from './route-notes.js';
import { accessErrors, securityFor, securitySchemes } from './security.js';

/** The groups of the reference, in reading order; route schemas' tags are matched case-insensitively. */
export const TAGS = [
  { name: 'OAuth', description: 'The authorization server: authorization, tokens, revocation and introspection.' },
  { name: 'OAuth management', description: 'Passport’s JSON API for a user’s clients, authorized applications, personal access tokens and scopes.' },
  { name: 'Users', description: 'The application’s user API.' },
  { name: 'Discovery', description: 'Metadata and signing keys for clients and resource servers.' },
  { name: 'Web pages', description: 'Server-rendered pages for browsers.' },
  { name: 'Debug', description: 'Only when APP_DEBUG=true.' },
];
const TAG_ALIASES: Record<string, string> = { web: 'Web pages', user: 'Users' };

const DESCRIPTION =
  'An OAuth 2 authorization server with Laravel Passport’s API. OAuth endpoints authenticate the client; `/api/*` takes a bearer token; ' +
  'the management routes take the session (with its CSRF token for changes), the API cookie, or a user’s bearer token carrying `*`.';

const STATUS_TEXT: Record<string, string> = { 200: 'OK', 201: 'Created', 204: 'No Content' };

/**
 * Registers @fastify/swagger so that it sees every route registered after it. The route schemas
 * give paths, parameters and bodies; the notes add who may call a route and what it answers.
 */
export async function registerOpenApi(app: FastifyInstance, services: Services): Promise<void> {
  const { config } = services;
  const notes = routeNotes({
    appUrl: config.appUrl,
    grants: services.tokens.grants,
    scopes: services.scopes.list(),
    implicitGrant: config.implicitGrant,
    jwks: publicJwks(services.keys),
    dynamicRegistration: services.dynamicRegistration.mode,
  });
  // OpenAPI has no optional path parameters: a route `/a/:b?` is documented as `/a/{b}` and `/a`.
  const optional: { path: string; param: string }[] = [];
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `${config.appName} API`, version: packageVersion(), description: DESCRIPTION },
      servers: [{ url: config.appUrl }],
      tags: TAGS,
      components: { securitySchemes: securitySchemes(config) },
    },
    transform: ({ schema, url, route }) => {
      const method = methodOf(route);
      const path = openApiPath(url);
      const last = /\/:(\w+)\?$/.exec(url);
      if (last?.[1]) optional.push({ path, param: last[1] });
      return { schema: documented(schema, notes[`${method} ${path}`], method, path), url: url.replace(/\?$/, '') };
    },
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      const document = documentObject.openapiObject as OpenApiDocument;
      addShortPaths(document, optional);
      const used = new Set(Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((operation) => operation.tags ?? [])));
      document.tags = (document.tags ?? []).filter((tag) => used.has(tag.name));
      return documentObject.openapiObject;
    },
  });
}

function methodOf(route: RouteOptions): string {
  return (Array.isArray(route.method) ? String(route.method[0]) : String(route.method)).toUpperCase();
}

/** `/oauth/clients/:client_id` → `/oauth/clients/{client_id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)\??/g, '{$1}');
}

/** A copy of the route schema with the notes applied; the route's own schema wins where it speaks. */
function documented(schema: FastifySchema | undefined, note: RouteNote | undefined, method: string, path: string): FastifySchema {
  const out: FastifySchema & Record<string, unknown> = { ...schema };
  if (!schema?.summary && note?.summary) out.summary = note.summary;
  if (!schema?.description && note?.description) out.description = note.description;
  out.tags = [canonicalTag(schema?.tags?.[0])];
  if (!schema?.querystring && note?.querystring) out.querystring = note.querystring;
  if (!schema?.body && note?.body) out.body = note.body;
  if (out.body && note?.bodyExample) out.body = { ...(out.body as object), examples: [note.bodyExample] };
  if (!schema?.consumes && note?.consumes) out.consumes = note.consumes;
  if (!schema?.security && note?.access) out.security = securityFor(note.access, method);
  out.response = responsesOf(schema?.response, note, method);
  out.operationId ??= operationIdOf(method, path);
  return out;
}

function canonicalTag(tag: string | undefined): string {
  if (!tag) return 'Other';
  const known = TAGS.find((candidate) => candidate.name.toLowerCase() === tag.toLowerCase());
  return known?.name ?? TAG_ALIASES[tag.toLowerCase()] ?? tag;
}

/** The route's declared responses (described), then the notes' answers, then the access checks' errors. */
function responsesOf(declared: unknown, note: RouteNote | undefined, method: string): Record<string, DocResponse> {
  const out: Record<string, DocResponse> = {};
  for (const [status, schema] of Object.entries((declared ?? {}) as Record<string, DocResponse>)) {
    out[status] = schema.description ? schema : { ...schema, description: STATUS_TEXT[status] ?? 'Response' };
  }
  const extra = { ...(note?.access ? accessErrors(note.access, method) : {}), ...note?.responses };
  for (const [status, schema] of Object.entries(extra)) out[status] ??= schema;
  // Every operation says how it succeeds, even when nothing more is known.
  if (!Object.keys(out).some((status) => /^[23]/.test(status))) out[200] = { type: 'null', description: 'OK' };
  return out;
}

/** `DELETE /oauth/clients/{client_id}` → `deleteOauthClientsClientId`. */
function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

function addShortPaths(document: OpenApiDocument, optional: { path: string; param: string }[]): void {
  for (const { path, param } of optional) {
    const item = document.paths[path];
    const shortPath = path.slice(0, -`/{${param}}`.length);
    if (!item || shortPath === '') continue;
    const shortItem: Record<string, OperationObject> = { ...document.paths[shortPath] };
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation || shortItem[method]) continue;
      const parameters = operation.parameters?.filter((parameter) => !(parameter.in === 'path' && parameter.name === param));
      shortItem[method] = { ...operation, operationId: operationIdOf(method, shortPath), ...(parameters ? { parameters } : {}) };
    }
    document.paths[shortPath] = shortItem;
  }
}
