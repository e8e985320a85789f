import { createHash } from 'node:crypto';
import type { AppCache, TaggedCache } from './app-cache.js';
import type { CompactLaneSpec } from './compact-lane.js';
import { CompactLane } from './compact-lane.js';

export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used go first. */
  maxEntries?: number | undefined;
  /** A family of keys kept compactly (token states): up to maxEntries of them, besides the others. */
  compactLane?: CompactLaneSpec | undefined;
}

interface Entry {
  value: unknown;
  /** Epoch milliseconds; Date.now() so fake timers in tests move it. */
  expiresAt: number;
  /** The tag names this entry was stored under, to unlink it from their key sets. */
  tags: readonly string[] | undefined;
}

/**
 * The application cache for a single node: a Map kept in least-recently-used order
 * (a Map iterates in insertion order, so re-inserting on a hit moves an entry to the back
 * and the first key is always the oldest). Expiry is checked on read, so a hit costs no timer.
 */
export class MemoryCache implements AppCache {
  private readonly entries = new Map<string, Entry>();
  /** Tag name → stored keys, so a flush can find every entry under that tag. */
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly maxEntries: number;
  private readonly lane: CompactLane | undefined;

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.lane = options.compactLane && new CompactLane(options.compactLane, this.maxEntries);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.read<T>(key);
  }

  async many<T>(keys: string[]): Promise<(T | undefined)[]> {
    return keys.map((key) => this.read<T>(key));
  }

  /** The same read without a promise: this cache is in this process, so it never has to wait. */
  peek<T>(key: string): T | undefined {
    return this.read<T>(key);
  }

  async put(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.write(key, value, ttlSeconds, undefined);
  }

  async forget(key: string): Promise<boolean> {
    return this.remove(key);
  }

  tags(tags: string[]): TaggedCache {
    const names = [...new Set(tags)].sort();
    const namespace = tagNamespace(names);
    const stored = (key: string): string => `${namespace}:${key}`;
    return {
      get: async <T>(key: string) => this.read<T>(stored(key)),
      put: async (key, value, ttlSeconds) => this.write(stored(key), value, ttlSeconds, names),
      forget: async (key) => this.remove(stored(key)),
      flush: async () => this.flushTags(names),
    };
  }

  async close(): Promise<void> {
    this.lane?.clear();
    this.entries.clear();
    this.tagIndex.clear();
  }

  /** Entries currently held, expired ones not yet read included. */
  get size(): number {
    return this.entries.size + (this.lane?.size ?? 0);
  }

  private read<T>(key: string): T | undefined {
    const laneKey = this.lane?.keyOf(key);
    if (laneKey !== undefined) {
      const value = this.lane!.get(laneKey, Date.now());
      if (value !== undefined) return value as T;
    }
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    // Moving the entry to the back (delete + set) costs on every hit of a hot key; while the
    // cache is under half full nothing will be evicted soon, so the order can wait.
    if (this.entries.size > this.maxEntries / 2) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.value as T;
  }

  private write(key: string, value: unknown, ttlSeconds: number, tags: readonly string[] | undefined): void {
    if (value === undefined) throw new TypeError('cache values must be JSON-serialisable; undefined is not');
    // Like Laravel: a TTL of zero or less stores nothing and drops what was there.
    if (!(ttlSeconds > 0)) {
      this.remove(key);
      return;
    }
    const laneKey = tags === undefined ? this.lane?.keyOf(key) : undefined;
    if (laneKey !== undefined && this.lane!.put(laneKey, value, Date.now() + ttlSeconds * 1000)) return;
    // Remove first so the entry moves to the back and stale tag links go away.
    this.remove(key);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000, tags });
    for (const tag of tags ?? []) {
      let keys = this.tagIndex.get(tag);
      if (keys === undefined) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.remove(oldest.value);
    }
  }

  private remove(key: string): boolean {
    const laneKey = this.lane?.keyOf(key);
    if (laneKey !== undefined && this.lane!.remove(laneKey)) return true;
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.unlinkTags(key, entry.tags);
    // An expired entry no longer exists as far as callers can tell.
    return entry.expiresAt > Date.now();
  }

  private unlinkTags(key: string, tags: readonly string[] | undefined): void {
    for (const tag of tags ?? []) {
      const keys = this.tagIndex.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.tagIndex.delete(tag);
    }
  }

  private flushTags(names: readonly string[]): void {
    for (const tag of names) {
      const keys = this.tagIndex.get(tag);
      if (keys === undefined) continue;
      // Copy: remove() edits this very set while we walk it.
      for (const key of [...keys]) this.remove(key);
    }
  }
}

/**
 * Laravel derives a tagged key from its tag names; sorting makes ['a','b'] and ['b','a'] one
 * namespace, and hashing the JSON keeps a tag name containing a separator from colliding.
 */
function tagNamespace(names: readonly string[]): string {
  return `tag:${createHash('sha1').update(JSON.stringify(names)).digest('hex')}`;
}
