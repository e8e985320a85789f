import type { Resource, ResourceRepository } from '../ports.js';
import type { ResourceDirectory } from '../resource-indicators.js';
import { isResourceUri, resourceSpellings } from '../resource-indicators.js';

export interface NewResourceRequest {
  uri: string;
  name: string;
  /** The scopes the resource declares; none: any scope this server declares. */
  scopes?: string[] | null;
  /** Lifetime of its access tokens, in seconds. */
  tokenTtl?: number | null;
  /** The owner (the dashboard and the JSON API); null from the CLI. */
  userId?: number | null;
}

/** Why a resource could not be registered: each maps to a field and a message where it is presented. */
export type ResourceProblem = 'invalid_uri' | 'uri_taken' | 'reserved_uri' | 'invalid_scope' | 'invalid_name' | 'invalid_ttl';

export type CreateResourceResult = { ok: true; resource: Resource } | { ok: false; problem: ResourceProblem; detail?: string };

/** RFC 8707's registry of resource servers: the CLI, the JSON API and the dashboard use these. */
export interface ResourceUseCases {
  create(request: NewResourceRequest): Promise<CreateResourceResult>;
  /** Every resource (the CLI), or one user's (the JSON API, the dashboard). */
  list(filter?: { userId: number }): Promise<Resource[]>;
  /** Looks a resource up by URI or id, for the operator. */
  find(uriOrId: string): Promise<Resource | undefined>;
  /** Deletes a resource (the user's own, when `userId` is given); false when there is no such resource. Tokens already issued for it stay valid until they expire. */
  delete(id: string, filter?: { userId: number }): Promise<boolean>;
}

/** A scope a resource may declare: what a scope token may be (RFC 6749 §3.3), not `*`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function createResourceUseCases(deps: { store: ResourceRepository; directory: ResourceDirectory }): ResourceUseCases {
  const { store, directory } = deps;
  return {
    async create(request) {
      const problem = checkResource(request, directory.own.uri);
      if (problem) return problem;
      // `https://mcp.example.com/` is `https://mcp.example.com`: one resource, one row.
      for (const spelling of resourceSpellings(request.uri)) {
        if (await store.findByUri(spelling)) return { ok: false, problem: 'uri_taken' };
      }
      const resource = await store.create({
        uri: request.uri,
        name: request.name.trim(),
        scopes: request.scopes && request.scopes.length > 0 ? [...new Set(request.scopes)] : null,
        tokenTtl: request.tokenTtl ?? null,
        userId: request.userId ?? null,
      });
      if (!resource) return { ok: false, problem: 'uri_taken' };
      // A cached "unknown resource" must not outlive its registration.
      await directory.invalidate(resource.uri);
      return { ok: true, resource };
    },
    list: (filter) => store.list(filter),
    async find(uriOrId) {
      for (const spelling of resourceSpellings(uriOrId)) {
        const found = await store.findByUri(spelling);
        if (found) return found;
      }
      return store.findById(uriOrId);
    },
    async delete(id, filter) {
      const resource = await store.findById(id);
      if (!resource || (filter && resource.userId !== filter.userId)) return false;
      const deleted = await store.delete(resource.id);
      await directory.invalidate(resource.uri);
      return deleted;
    },
  };
}

function checkResource(request: NewResourceRequest, ownUri: string): { ok: false; problem: ResourceProblem; detail?: string } | undefined {
  if (!isResourceUri(request.uri)) return { ok: false, problem: 'invalid_uri' };
  if (resourceSpellings(request.uri).includes(ownUri)) return { ok: false, problem: 'reserved_uri' };
  const name = request.name.trim();
  if (name === '' || name.length > 191) return { ok: false, problem: 'invalid_name' };
  const badScope = (request.scopes ?? []).find((scope) => scope === '*' || !SCOPE_TOKEN.test(scope));
  if (badScope !== undefined) return { ok: false, problem: 'invalid_scope', detail: badScope };
  if (request.tokenTtl !== undefined && request.tokenTtl !== null && !(Number.isInteger(request.tokenTtl) && request.tokenTtl > 0)) {
    return { ok: false, problem: 'invalid_ttl' };
  }
  return undefined;
}
