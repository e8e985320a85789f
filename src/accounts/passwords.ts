import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

// Algorithm.Argon2id of @node-rs/argon2 (a const enum, which isolated modules cannot import).
const ARGON2ID = 2;
import { verify as bcryptVerify } from '@node-rs/bcrypt';

/** New password hashes are argon2id (OWASP's first choice). */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, { algorithm: ARGON2ID });
}

export interface PasswordCheck {
  ok: boolean;
  /** True when the stored hash is an imported Laravel bcrypt hash: rehash it to argon2id now. */
  needsRehash: boolean;
}

/** Verifies argon2id hashes and Laravel's `$2y$` bcrypt hashes (imported from Passport). */
export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  if (/^\$2[aby]\$/.test(stored)) {
    // Laravel writes $2y$, the same algorithm the Rust binding knows as $2b$.
    const ok = await bcryptVerify(password, stored.replace(/^\$2y\$/, '$2b$')).catch(() => false);
    return { ok, needsRehash: ok };
  }
  if (stored.startsWith('$argon2')) {
    const ok = await argon2Verify(stored, password).catch(() => false);
    return { ok, needsRehash: false };
  }
  return { ok: false, needsRehash: false };
}

/** A fixed argon2id hash to verify against when the email is unknown, so timing does not reveal accounts. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('authgate-timing-equaliser');
  return dummyHash;
}
