import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { verify as bcryptVerify } from '@node-rs/bcrypt';

const PREFIX = 'hmac-sha256$';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string from [A-Za-z0-9], without modulo bias (as Laravel's Str::random). */
export function randomString(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes above it would favour the first letters.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Client secrets are 40 random characters, like Passport's. */
export function generateClientSecret(): string {
  return randomString(40);
}

/**
 * Client secrets are long and random, so a keyed SHA-256 is as strong as bcrypt against
 * guessing and costs microseconds instead of a hundred milliseconds per token request.
 */
export function hashClientSecret(secret: string, key: string): string {
  return PREFIX + createHmac('sha256', hmacKey(key)).update(secret).digest('hex');
}

// Importing the key once saves the work on every token request (there is one APP_KEY per process).
const importedKeys = new Map<string, KeyObject>();
function hmacKey(key: string): KeyObject {
  let imported = importedKeys.get(key);
  if (!imported) {
    if (importedKeys.size > 8) importedKeys.clear();
    imported = createSecretKey(Buffer.from(key));
    importedKeys.set(key, imported);
  }
  return imported;
}

export type SecretCheck = { ok: false } | { ok: true; rehash?: string };

/** Constant-time check; a bcrypt hash imported from Passport is verified once and a fast hash returned to store. */
export async function verifyClientSecret(secret: string, stored: string, key: string): Promise<SecretCheck> {
  if (stored.startsWith(PREFIX)) {
    const expected = Buffer.from(stored);
    const actual = Buffer.from(hashClientSecret(secret, key));
    return { ok: expected.length === actual.length && timingSafeEqual(expected, actual) };
  }
  if (/^\$2[aby]\$/.test(stored)) {
    const ok = await bcryptVerify(secret, stored.replace(/^\$2y\$/, '$2b$')).catch(() => false);
    return ok ? { ok: true, rehash: hashClientSecret(secret, key) } : { ok: false };
  }
  // Passport without hashed secrets stored them in plain text.
  const a = Buffer.from(stored);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b) ? { ok: true, rehash: hashClientSecret(secret, key) } : { ok: false };
}
