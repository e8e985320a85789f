import { isCleanText } from './clean-text.js';
import { OAuthError } from './errors.js';
import type { Resource, ResourceRepository } from './ports.js';
import type { ScopeRegistry } from './scopes.js';
import { WILDCARD_SCOPE } from './scopes.js';
import type { StateCache } from './state-cache.js';

/** OpenID Connect scopes are about the user, not a resource: any audience may carry them. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email']);

/**
 * How long a resource look-up is trusted. Every change invalidates it at once where the cache
 * is shared (Redis); without Redis, a change made by the CLI reaches a running server within this.
 */
const RESOURCE_CACHE_SECONDS = 60;
/** Unknown URIs are remembered briefly, so a flood of them cannot hammer the database. */
const UNKNOWN_RESOURCE_SECONDS = 5;

/** The resources a token is for, once checked: its audience, and what that audience allows. */
export interface Audience {
  /** The resource URIs, in request order; empty: no resource was asked for (aud = the client id). */
  uris: string[];
  resources: Resource[];
  /** The shortest token lifetime one of the resources asks for, if any. */
  ttlSeconds: number | null;
}

export const NO_AUDIENCE: Audience = { uris: [], resources: [], ttlSeconds: null };

/**
 * RFC 8707 §2: a resource indicator is an absolute URI without a fragment. Authgate also wants
 * https, or http on a loopback host (local MCP servers), and no control characters.
 */
export function isResourceUri(value: string): boolean {
  if (value === '' || value.length > 2048 || !isCleanText(value) || /\s/.test(value) || value.includes('#')) return false;
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The spellings of one resource URI. RFC 3986 §6.2.3: for http and https an empty path is the
 * same as `/`, so `https://mcp.example.com` and `https://mcp.example.com/` name one resource.
 * Clients disagree on which they send (the MCP SDK sent `URL.href`, with the slash, until its issue
 * #1968; now it sends the RFC 9728 document's string as written), so both find it. Any other URI has one spelling.
 */
export function resourceSpellings(uri: string): string[] {
  const origin = /^(https?:\/\/[^/?#]+)\/?$/i.exec(uri)?.[1];
  if (origin === undefined) return [uri];
  return uri.endsWith('/') ? [uri, origin] : [uri, `${origin}/`];
}

/**
 * The registry of resource servers, with Authgate's own API (APP_URL) always in it. Look-ups
 * go through the cache; `create` and `delete` of the resource use cases invalidate it.
 */
export class ResourceDirectory {
  private readonly ownApi: Resource;

  constructor(
    private readonly repository: ResourceRepository,
    private readonly cache: StateCache,
    own: { uri: string; name: string },
  ) {
    const epoch = new Date(0);
    this.ownApi = { id: 'authgate', uri: own.uri, name: own.name, scopes: null, tokenTtl: null, userId: null, createdAt: epoch, updatedAt: epoch };
  }

  /** Authgate's own API: `/api/*`, the management routes and userinfo accept its tokens. */
  get own(): Resource {
    return this.ownApi;
  }

  /**
   * The registered resource a URI names, under either spelling of a path-less URI (see
   * {@link resourceSpellings}): `https://mcp.example.com/` finds `https://mcp.example.com`.
   */
  async find(uri: string): Promise<Resource | undefined> {
    for (const spelling of resourceSpellings(uri)) {
      const found = await this.findExactly(spelling);
      if (found) return found;
    }
    return undefined;
  }

  private async findExactly(uri: string): Promise<Resource | undefined> {
    if (uri === this.ownApi.uri) return this.ownApi;
    const key = cacheKey(uri);
    const [cached] = await this.cache.many<CachedResource | 'missing'>([key]);
    if (cached === 'missing') return undefined;
    if (cached) return { ...cached, createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt) };
    const found = await this.repository.findByUri(uri);
    await this.cache.put(key, found ?? 'missing', found ? RESOURCE_CACHE_SECONDS : UNKNOWN_RESOURCE_SECONDS);
    return found;
  }

  /**
   * Every scope a registered resource declares (not the server's own, which the scope registry
   * holds). Read from the repository, not the cache: it serves registration, not every token.
   */
  async declaredScopes(): Promise<Set<string>> {
    const resources = await this.repository.list();
    return new Set(resources.flatMap((resource) => resource.scopes ?? []));
  }

  invalidate(uri: string): Promise<boolean> {
    return this.cache.forget(cacheKey(uri));
  }

  /**
   * The audience of a request: every indicator well-formed and registered, or `invalid_target`.
   * The audience names each resource as it was registered, whichever spelling was asked for.
   */
  async resolve(indicators: readonly string[]): Promise<Audience> {
    if (indicators.length === 0) return NO_AUDIENCE;
    const resources = new Map<string, Resource>();
    for (const uri of indicators) {
      const resource = isResourceUri(uri) ? await this.find(uri) : undefined;
      if (!resource) throw OAuthError.invalidTarget();
      resources.set(resource.uri, resource);
    }
    return audienceOf([...resources.values()]);
  }

  /**
   * RFC 8707 §2.2, on a later request (code exchange, refresh): the indicators may narrow
   * what was granted, never widen it. None asked for: all of `granted`.
   */
  async narrow(indicators: readonly string[], granted: readonly string[] | null): Promise<Audience> {
    if (indicators.length === 0) return granted === null ? NO_AUDIENCE : this.resolve(granted);
    const audience = await this.resolve(indicators);
    for (const uri of audience.uris) if (!granted?.includes(uri)) throw OAuthError.invalidTarget();
    return audience;
  }
}

function audienceOf(resources: Resource[]): Audience {
  const ttls = resources.map((resource) => resource.tokenTtl).filter((ttl): ttl is number => ttl !== null);
  return { uris: resources.map((resource) => resource.uri), resources, ttlSeconds: ttls.length > 0 ? Math.min(...ttls) : null };
}

/**
 * The scopes of a request for an audience: without resources, the server's declared scopes
 * (the scope registry's rules); with resources, only what one of them declares (a resource
 * declaring none takes the server's scopes), plus the OpenID Connect scopes. `*` is for
 * tokens without an audience. None requested: the configured defaults the audience allows.
 */
export function scopesFor(registry: ScopeRegistry, requested: string[], audience: Audience, options: { allowWildcard: boolean }): string[] {
  if (audience.resources.length === 0) return registry.resolve(requested, options);
  const allowed = (scope: string) => OIDC_SCOPES.has(scope) || audience.resources.some((resource) => (resource.scopes ?? []).includes(scope) || (resource.scopes === null && registry.has(scope)));
  const unique = [...new Set(requested.filter(Boolean))];
  for (const scope of unique) {
    if (scope === WILDCARD_SCOPE || !allowed(scope)) throw OAuthError.invalidScope(scope);
  }
  return unique.length > 0 ? unique : registry.defaults.filter(allowed);
}

/** Scopes granted earlier, kept only where a (narrowed) audience still allows them. */
export function scopesWithin(registry: ScopeRegistry, granted: readonly string[], audience: Audience): string[] {
  if (audience.resources.length === 0) return [...granted];
  return granted.filter((scope) => {
    try {
      scopesFor(registry, [scope], audience, { allowWildcard: false });
      return true;
    } catch {
      return false;
    }
  });
}

/** A resource's declared scopes for consent pages: the registry's description, or the resource's name. */
export function describeScope(registry: ScopeRegistry, scope: string, audience: Audience): string {
  if (registry.has(scope)) return registry.describe(scope);
  const owner = audience.resources.find((resource) => resource.scopes?.includes(scope));
  return owner ? `${scope} on ${owner.name}` : scope;
}

type CachedResource = Omit<Resource, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

function cacheKey(uri: string): string {
  return `resource:${uri}`;
}
