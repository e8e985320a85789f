import type { Client, ClientRepository } from './ports.js';
import type { StateCache } from './state-cache.js';
import { CLIENT_CACHE_SECONDS, cacheKeys } from './state-cache.js';

type CachedClient = Omit<Client, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

/** Client look-ups through the application cache; every change to a client must call `invalidate`. */
export class ClientDirectory {
  constructor(
    private readonly repository: ClientRepository,
    private readonly cache: StateCache,
  ) {}

  async find(id: string): Promise<Client | undefined> {
    const [cached] = await this.cache.many<CachedClient | 'missing'>([cacheKeys.client(id)]);
    if (cached === 'missing') return undefined;
    if (cached) return { ...cached, createdAt: new Date(cached.createdAt), updatedAt: new Date(cached.updatedAt) };
    const client = await this.repository.findById(id);
    // Unknown ids are cached briefly too, so a client id flood cannot hammer the database.
    await this.cache.put(cacheKeys.client(id), client ?? 'missing', client ? CLIENT_CACHE_SECONDS : 30);
    return client;
  }

  async invalidate(id: string): Promise<void> {
    await this.cache.forget(cacheKeys.client(id));
  }
}
