import type { StoredUser } from '../storage/repositories/user-repository.js';
import type { UserAccounts } from './user-accounts.js';

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

export type RegistrationResult = { ok: true; user: StoredUser } | { ok: false; reason: 'email_taken' };

/**
 * Creates a user unless the email is taken, compared case-insensitively. Two requests racing
 * with the same email are settled by the database's unique index: the loser is told the email
 * is taken rather than seeing a 500.
 */
export async function registerAccount(accounts: UserAccounts, input: NewAccount): Promise<RegistrationResult> {
  if (await accounts.emailTaken(input.email)) return { ok: false, reason: 'email_taken' };
  try {
    return { ok: true, user: await accounts.register(input) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email_taken' };
    throw error;
  }
}

/** SQLite (better-sqlite3) and PostgreSQL (pg) report a unique index violation with these codes. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const { code } = error as { code: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
