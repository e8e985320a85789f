/**
 * How one family of cache keys is stored compactly: keys `prefix` + at least 32 hex digits (a
 * token id), values that split into a part many keys share, a number of their own and,
 * optionally, a 128-bit print of their own (32 hex digits).
 */
export interface CompactLaneSpec {
  prefix: string;
  /** The shared part (compared by its JSON), the key's own number and print; undefined: not for the lane. */
  split(value: unknown): { shared: unknown; own: number | null; print?: string | undefined } | undefined;
  join(shared: unknown, own: number | null, print: string | undefined): unknown;
}

/** Distinct shared values at most; past it the lane starts afresh (only the sharing is lost). */
const SHARED_LIMIT = 65_536;
/** Slots examined to choose a victim when the lane is full: the one expiring first goes. */
const EVICTION_SAMPLE = 8;
const HEX_KEY = /^[0-9a-f]{32}/;
const HEX_PRINT = /^[0-9a-f]{32}$/;
/** Open addressing slows down past this fill ratio. */
const MAX_LOAD = 0.8;

/**
 * Where a key's probe starts: all four words mixed, since a token id may begin with its time
 * (see accessTokenId), and ids minted in one millisecond would otherwise share a start.
 */
function homeSlot(words: Uint32Array, at = 0): number {
  return Math.imul(words[at]! ^ words[at + 1]! ^ words[at + 2]! ^ words[at + 3]!, 0x9e3779b1) >>> 0;
}

/**
 * Live-token state for hundreds of thousands of tokens without hundreds of thousands of objects:
 * an open-addressing hash table in typed arrays, keyed by the first 128 bits of the (random) token
 * id. Each entry costs 53 bytes outside the JavaScript heap, where a Map entry with its key string
 * and value object costs about 300 bytes on it, and the garbage collector never walks it — which
 * is what kept the server's memory growing under load. Tokens share a handful of values (their
 * client, scopes and audience); only the user id and the print of the token as issued are per token.
 */
export class CompactLane {
  private capacity = 1024;
  private mask = this.capacity - 1;
  private keys = new Uint32Array(this.capacity * 4);
  /** Epoch milliseconds after which the entry is gone; 0: an empty slot. */
  private expiries = new Float64Array(this.capacity);
  private sharedIndexes = new Uint32Array(this.capacity);
  private owns = new Float64Array(this.capacity);
  /** Four words per slot, read only where `hasPrint` says so. */
  private prints = new Uint32Array(this.capacity * 4);
  private hasPrint = new Uint8Array(this.capacity);
  private count = 0;
  private evictionHand = 0;
  private readonly sharedValues: unknown[] = [];
  private readonly sharedIndex = new Map<string, number>();
  private readonly maxCapacity: number;
  private readonly scratchKey = new Uint32Array(4);

  constructor(
    readonly spec: CompactLaneSpec,
    private readonly maxEntries: number,
  ) {
    // At most four fifths full, so probes stay short.
    this.maxCapacity = Math.max(this.capacity, 2 ** Math.ceil(Math.log2(maxEntries / MAX_LOAD)));
  }

  /**
   * The 128-bit key of a cache key of this lane, or undefined when the key is not one. The words
   * are written into one scratch array, valid until the next call: every caller uses them at once.
   */
  keyOf(key: string): Uint32Array | undefined {
    if (!key.startsWith(this.spec.prefix)) return undefined;
    const rest = key.slice(this.spec.prefix.length, this.spec.prefix.length + 32);
    if (!HEX_KEY.test(rest)) return undefined;
    readHexWords(rest, this.scratchKey, 0);
    return this.scratchKey;
  }

  get(key: Uint32Array, nowMs: number): unknown {
    const slot = this.find(key);
    if (slot < 0) return undefined;
    if (this.expiries[slot]! <= nowMs) {
      this.removeSlot(slot);
      return undefined;
    }
    const own = this.owns[slot]!;
    const print = this.hasPrint[slot] === 1 ? hexOfWords(this.prints, slot * 4) : undefined;
    return this.spec.join(this.sharedValues[this.sharedIndexes[slot]!], Number.isNaN(own) ? null : own, print);
  }

  /** Stores the value; false when it is not for this lane (the caller stores it elsewhere). */
  put(key: Uint32Array, value: unknown, expiresAtMs: number): boolean {
    const parts = this.spec.split(value);
    if (parts === undefined) {
      this.remove(key);
      return false;
    }
    const shared = this.share(parts.shared);
    let slot = this.find(key);
    if (slot < 0) {
      if (this.count >= this.maxEntries) this.evictOne();
      if (this.count + 1 > this.capacity * MAX_LOAD && this.capacity < this.maxCapacity) this.grow();
      slot = this.emptySlotFor(key);
      this.keys.set(key, slot * 4);
      this.count++;
    }
    this.expiries[slot] = expiresAtMs;
    this.sharedIndexes[slot] = shared;
    this.owns[slot] = parts.own ?? Number.NaN;
    const print = parts.print !== undefined && HEX_PRINT.test(parts.print);
    if (print) readHexWords(parts.print!, this.prints, slot * 4);
    this.hasPrint[slot] = print ? 1 : 0;
    return true;
  }

  /** True when a live entry was removed. */
  remove(key: Uint32Array, nowMs = Date.now()): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    const live = this.expiries[slot]! > nowMs;
    this.removeSlot(slot);
    return live;
  }

  clear(): void {
    this.expiries.fill(0);
    this.count = 0;
    this.sharedValues.length = 0;
    this.sharedIndex.clear();
  }

  get size(): number {
    return this.count;
  }

  private share(value: unknown): number {
    const json = JSON.stringify(value);
    let index = this.sharedIndex.get(json);
    if (index === undefined) {
      // Entries point into the shared list by position: start afresh rather than drop one.
      if (this.sharedValues.length >= SHARED_LIMIT) this.clear();
      index = this.sharedValues.push(value) - 1;
      this.sharedIndex.set(json, index);
    }
    return index;
  }

  private find(key: Uint32Array): number {
    let slot = homeSlot(key) & this.mask;
    while (this.expiries[slot] !== 0) {
      if (this.sameKey(slot, key)) return slot;
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }

  private emptySlotFor(key: Uint32Array): number {
    let slot = homeSlot(key) & this.mask;
    while (this.expiries[slot] !== 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private sameKey(slot: number, key: Uint32Array): boolean {
    const at = slot * 4;
    return this.keys[at] === key[0] && this.keys[at + 1] === key[1] && this.keys[at + 2] === key[2] && this.keys[at + 3] === key[3];
  }

  /** Linear probing's deletion: later entries of the same run move back, so no probe stops early. */
  private removeSlot(slot: number): void {
    this.expiries[slot] = 0;
    this.count--;
    let hole = slot;
    let next = (slot + 1) & this.mask;
    while (this.expiries[next] !== 0) {
      const home = homeSlot(this.keys, next * 4) & this.mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!stays) {
        this.keys.copyWithin(hole * 4, next * 4, next * 4 + 4);
        this.expiries[hole] = this.expiries[next]!;
        this.sharedIndexes[hole] = this.sharedIndexes[next]!;
        this.owns[hole] = this.owns[next]!;
        this.prints.copyWithin(hole * 4, next * 4, next * 4 + 4);
        this.hasPrint[hole] = this.hasPrint[next]!;
        this.expiries[next] = 0;
        hole = next;
      }
      next = (next + 1) & this.mask;
    }
  }

  /** A full lane drops, of a few entries in turn, the one expiring soonest. */
  private evictOne(): void {
    let victim = -1;
    for (let seen = 0, slot = this.evictionHand; seen < EVICTION_SAMPLE; slot = (slot + 1) & this.mask) {
      if (this.expiries[slot] === 0) continue;
      if (victim < 0 || this.expiries[slot]! < this.expiries[victim]!) victim = slot;
      seen++;
    }
    this.evictionHand = (victim + 1) & this.mask;
    this.removeSlot(victim);
  }

  private grow(): void {
    const old = { keys: this.keys, expiries: this.expiries, sharedIndexes: this.sharedIndexes, owns: this.owns, prints: this.prints, hasPrint: this.hasPrint, capacity: this.capacity };
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.keys = new Uint32Array(this.capacity * 4);
    this.expiries = new Float64Array(this.capacity);
    this.sharedIndexes = new Uint32Array(this.capacity);
    this.owns = new Float64Array(this.capacity);
    this.prints = new Uint32Array(this.capacity * 4);
    this.hasPrint = new Uint8Array(this.capacity);
    for (let slot = 0; slot < old.capacity; slot++) {
      if (old.expiries[slot] === 0) continue;
      const key = old.keys.subarray(slot * 4, slot * 4 + 4);
      const target = this.emptySlotFor(key);
      this.keys.set(key, target * 4);
      this.expiries[target] = old.expiries[slot]!;
      this.sharedIndexes[target] = old.sharedIndexes[slot]!;
      this.owns[target] = old.owns[slot]!;
      this.prints.set(old.prints.subarray(slot * 4, slot * 4 + 4), target * 4);
      this.hasPrint[target] = old.hasPrint[slot]!;
    }
  }
}

/** Four 32-bit words from 32 hex digits (already checked) into `words` at `at`. */
function readHexWords(hex: string, words: Uint32Array, at: number): void {
  for (let i = 0; i < 4; i++) words[at + i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
}

function hexOfWords(words: Uint32Array, at: number): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += words[at + i]!.toString(16).padStart(8, '0');
  return hex;
}
