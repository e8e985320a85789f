import type { ClientMetadataResolver } from './client-metadata-resolver.js';
import type { Client, ClientRepository } from './ports.js';
import type { StateCache } from './state-cache.js';
import { CLIENT_CACHE_SECONDS, NOT_IN_MEMORY, cacheKeys } from './state-cache.js';

type CachedClient = Omit<Client, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

/** An unknown client id, or a metadata document that could not be used, is remembered this long. */
const MISSING_SECONDS = 30;

/**
 * Client look-ups through the application cache; every change to a client must call
 * `invalidate`. A client id that is a metadata document URL is resolved by fetching the document
 * (when enabled), and cached as long as the document's HTTP caching allows (5 minutes to a day).
 */
export class ClientDirectory {
  constructor(
    private readonly repository: ClientRepository,
    private readonly cache: StateCache,
    private readonly documents?: ClientMetadataResolver,
  ) {}

  async find(id: string): Promise<Client | undefined> {
    const [cached] = await this.cache.many<CachedClient | 'missing'>([cacheKeys.client(id)]);
    if (cached === 'missing') return undefined;
    if (cached) return clientOf(cached);
    if (this.documents?.handles(id)) return this.resolveDocument(id);
    const client = await this.repository.findById(id);
    // Unknown ids are cached briefly too, so a client id flood cannot hammer the database.
    await this.cache.put(cacheKeys.client(id), client ?? 'missing', client ? CLIENT_CACHE_SECONDS : MISSING_SECONDS);
    return client;
  }

  /**
   * The client as this process's cache holds it, without waiting: for the bearer check, which
   * runs on every API request. The record is shared between callers (made once per cache
   * entry): read it, never change it. NOT_IN_MEMORY when `find` must ask the shared cache or
   * the database.
   */
  findInMemory(id: string): Client | undefined | typeof NOT_IN_MEMORY {
    const cached = this.cache.peek?.<CachedClient | 'missing'>(cacheKeys.client(id));
    if (cached === undefined) return NOT_IN_MEMORY;
    if (cached === 'missing') return undefined;
    let client = shared.get(cached);
    if (client === undefined) {
      client = clientOf(cached);
      shared.set(cached, client);
    }
    return client;
  }

  async invalidate(id: string): Promise<void> {
    await this.cache.forget(cacheKeys.client(id));
  }

  private async resolveDocument(url: string): Promise<Client | undefined> {
    const resolved = await this.documents!.resolve(url);
    await this.cache.put(cacheKeys.client(url), resolved.ok ? resolved.client : 'missing', resolved.ok ? resolved.cacheSeconds : MISSING_SECONDS);
    return resolved.ok ? resolved.client : undefined;
  }
}

function clientOf(cached: CachedClient): Client {
  return { ...cached, createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt) };
}

/** Client records made from an in-memory cache entry, once per entry (a changed client is a new entry). */
const shared = new WeakMap<CachedClient, Client>();
