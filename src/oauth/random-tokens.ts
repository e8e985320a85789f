import { hash, randomBytes, randomFillSync } from 'node:crypto';

/**
 * The random strings Authgate hands out and the hash it keeps of them. Refresh tokens, codes,
 * device codes and session ids go on the wire as random strings and are stored only as their
 * SHA-256 (RFC 6749 §10.3, §10.5): a leaked table cannot be replayed.
 */

/** SHA-256 (hex): how refresh tokens, codes and session ids are stored (one-shot: no Hash object per call). */
export function sha256(value: string): string {
  return hash('sha256', value, 'hex');
}

/** An opaque random token for the wire (refresh tokens, codes): `bytes` of entropy, base64url. */
export function opaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * An access token id (the JWT's `jti`): 80 hex characters, as Passport's token ids — the time
 * in milliseconds (12 hex digits) then 272 random bits. Ids that grow with time land at the end
 * of the primary-key index, so each commit of new tokens writes a page or two instead of one
 * page per token at random places in the B-tree (measured: the token endpoint's SQLite cost
 * halves once the table holds a few hundred thousand rows). The random part still makes ids
 * unguessable; the time is no secret (it is the token's `iat`).
 */
export function accessTokenId(now = Date.now()): string {
  return now.toString(16).padStart(12, '0') + idRandomness.hex(34);
}

/**
 * Random bytes for token ids, drawn from the CSPRNG a few kilobytes at a time (one call per
 * request cost ~3 % of the token endpoint), each byte used once. Only for ids, which are no
 * secrets; refresh tokens and codes take their own `randomBytes`.
 */
class RandomPool {
  private pool = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly size: number) {}

  hex(bytes: number): string {
    if (this.offset + bytes > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(this.size));
      this.offset = 0;
    }
    const hex = this.pool.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    return hex;
  }
}

const idRandomness = new RandomPool(34 * 128);
