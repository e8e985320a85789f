const SIGHTING_SLOTS = 65_536;

/** 32 bits from the end of the signature, which is random: no hashing needed, no allocation. */
function fingerprint(jwt: string): number {
  let print = 0;
  for (let i = Math.max(0, jwt.length - 12); i < jwt.length; i++) print = (Math.imul(print, 31) + jwt.charCodeAt(i)) | 0;
  return print === 0 ? 1 : print;
}

/**
 * The claims of JWTs whose signature was already checked, so a token presented again (a client
 * calling an API all hour with one token) costs no second signature verification. Bounded by
 * count; an entry is dropped at its token's `exp`. It remembers only that the signature and the
 * fixed claims held: revocation, the client and the user are checked on every request by the
 * caller, so a revoked token is refused at once whether it is in here or not.
 */
export class VerifiedTokens {
  /** By fingerprint (a number hashes at once; a 500-character key would be hashed on every look-up), the token kept to tell collisions apart. */
  private readonly entries = new Map<number, { jwt: string; claims: Record<string, unknown> }>();
  /**
   * Fingerprints of tokens seen once. Only a token seen before is remembered: when every request
   * carries a new token (many clients, short-lived tokens) remembering each would only churn the
   * map and the garbage collector, and that cost more than it saved.
   */
  private readonly sightings = new Int32Array(SIGHTING_SLOTS);

  constructor(private readonly maxEntries = 10_000) {}

  /** The claims of a token verified before and not yet expired. */
  get(jwt: string, nowSeconds: number): Record<string, unknown> | undefined {
    const print = fingerprint(jwt);
    const entry = this.entries.get(print);
    if (entry === undefined || entry.jwt !== jwt) return undefined;
    if ((entry.claims.exp as number) <= nowSeconds) {
      this.entries.delete(print);
      return undefined;
    }
    return entry.claims;
  }

  remember(jwt: string, claims: Record<string, unknown>): void {
    const print = fingerprint(jwt);
    const slot = print & (SIGHTING_SLOTS - 1);
    if (this.sightings[slot] !== print) {
      // First sighting (or a slot taken by another token, which costs only a later verification).
      this.sightings[slot] = print;
      return;
    }
    // Oldest first out: a Map iterates in insertion order. A token seen again stays where it
    // was put: tracking recency would cost a delete and a set on every hit.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(print, { jwt, claims });
  }

  get size(): number {
    return this.entries.size;
  }
}
