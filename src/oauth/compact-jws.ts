import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { KeySet, SigningAlgorithm, SigningKey, VerificationKey } from './signing-keys.js';

/**
 * Signing and verifying Authgate's own JWTs (RFC 7515 compact serialisation) with node:crypto
 * KeyObjects, synchronously: on the token endpoint and on every bearer request the signature
 * is most of the work, and OpenSSL does the math either way (jose's WebCrypto path adds a
 * promise and a thread-pool hop per token). Only our own algorithms and keys are accepted;
 * foreign tokens and keys stay with jose.
 */

/** The digest node:crypto wants per algorithm (EdDSA hashes internally). */
const DIGEST: Record<SigningAlgorithm, string | null> = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };

/** RFC 7518 §3.4: ES256 signatures are r‖s, 64 bytes, not DER. */
const EC_ENCODING = { dsaEncoding: 'ieee-p1363' } as const;

export interface JwsHeader {
  alg: string;
  typ?: string;
  kid?: string;
  [name: string]: unknown;
}

export interface VerifiedJws {
  header: JwsHeader;
  payload: Record<string, unknown>;
}

/** The encoded header of a key's tokens, computed once per key and type. */
export function encodeHeader(key: SigningKey, typ: string): string {
  return Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url');
}

/** Signs `payload` under an already encoded header. */
export function signCompact(encodedHeader: string, payload: Record<string, unknown>, key: SigningKey): string {
  const input = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${rawSign(key.alg, input, key.privateKey).toString('base64url')}`;
}

function rawSign(alg: SigningAlgorithm, input: string, privateKey: KeyObject): Buffer {
  const data = Buffer.from(input);
  return alg === 'ES256' ? sign(DIGEST[alg], data, { key: privateKey, ...EC_ENCODING }) : sign(DIGEST[alg], data, privateKey);
}

/** A compact JWS naming one of our keys, read but its signature not yet checked. */
export interface ReadJws extends VerifiedJws {
  key: VerificationKey;
  token: string;
}

/**
 * Reads a compact JWS that names one of our keys: the header names a known `kid` (or, for
 * Passport's own tokens, none — the configured key of that algorithm), its `alg` is that key's,
 * it carries no `crit` extension, and the payload is a JSON object. Nothing in it is to be
 * trusted until `signatureHolds` (or the caller knows this exact string as one it signed).
 */
export function readCompact(token: string, keys: KeySet): ReadJws | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const header = headerOf(token.slice(0, first));
  if (!header) return undefined;
  const key = keyFor(header, keys);
  if (!key) return undefined;
  const payload = decodeJson(token.slice(first + 1, second));
  if (!payload || Array.isArray(payload)) return undefined;
  return { header, payload: payload as Record<string, unknown>, key, token };
}

/** True when the JWS's signature is its key's over its header and payload. */
export function signatureHolds(read: ReadJws): boolean {
  const second = read.token.lastIndexOf('.');
  const signature = Buffer.from(read.token.slice(second + 1), 'base64url');
  return rawVerify(read.key, read.token.slice(0, second), signature);
}

/** Verifies a compact JWS signed by one of our keys (see readCompact); undefined for anything else. */
export function verifyCompact(token: string, keys: KeySet): VerifiedJws | undefined {
  const read = readCompact(token, keys);
  return read && signatureHolds(read) ? { header: read.header, payload: read.payload } : undefined;
}

/** Headers already decoded: the tokens of a few keys share a handful of encoded headers. */
const knownHeaders = new Map<string, JwsHeader>();
const KNOWN_HEADERS_MAX = 16;

function headerOf(encoded: string): JwsHeader | undefined {
  const known = knownHeaders.get(encoded);
  if (known) return known;
  const header = decodeJson(encoded) as JwsHeader | undefined;
  if (!header || typeof header.alg !== 'string' || 'crit' in header) return undefined;
  // Only our own tokens' headers are worth keeping, and only a few: anyone can send new ones.
  if (typeof header.kid === 'string' && knownHeaders.size < KNOWN_HEADERS_MAX) knownHeaders.set(encoded, Object.freeze(header));
  return header;
}

function keyFor(header: JwsHeader, keys: KeySet): VerificationKey | undefined {
  let key: VerificationKey | undefined;
  if (header.kid === undefined) {
    // Passport's tokens carry no kid: they were signed by the configured (RSA) key.
    for (const candidate of keys.verification.values()) {
      if (candidate.alg === header.alg) {
        key = candidate;
        break;
      }
    }
  } else if (typeof header.kid === 'string') {
    key = keys.verification.get(header.kid);
  }
  return key && key.alg === header.alg ? key : undefined;
}

/** What node:crypto's verify takes for each key, made once. */
const verifyOptions = new WeakMap<VerificationKey, KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' }>();

function rawVerify(key: VerificationKey, input: string, signature: Buffer): boolean {
  if (key.alg === 'ES256' && signature.length !== 64) return false;
  let options = verifyOptions.get(key);
  if (options === undefined) {
    options = key.alg === 'ES256' ? { key: key.publicKey, ...EC_ENCODING } : key.publicKey;
    verifyOptions.set(key, options);
  }
  try {
    return verify(DIGEST[key.alg], Buffer.from(input), options, signature);
  } catch {
    return false;
  }
}

/** A base64url JSON object, or undefined (bad characters, bad JSON, not an object). */
function decodeJson(part: string): object | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
