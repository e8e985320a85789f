import type { CredentialCheck, ResourceOwner, UserLookup } from '../oauth/ports.js';
import type { ThrottleDecision } from './login-throttle.js';
import type { LoginThrottle } from './login-throttle.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import type { StoredUser, UserPage, UserRepository } from './ports.js';

export interface NewAccount {
  name: string;
  email: string;
  password: string;
}

/** The outcome of a login attempt under the throttle (the login form, POST /api/login, the password grant). */
export type LoginResult =
  | { status: 'valid'; user: StoredUser }
  | { status: 'invalid'; throttle: ThrottleDecision }
  | { status: 'throttled'; throttle: ThrottleDecision };

/** The email of a new account is already taken (compared case-insensitively). */
export class EmailTakenError extends Error {
  override name = 'EmailTakenError';
  constructor() {
    super('The email has already been taken.');
  }
}

export function toResourceOwner(user: StoredUser): ResourceOwner {
  return { id: user.id, name: user.name, email: user.email, emailVerifiedAt: user.emailVerifiedAt, createdAt: user.createdAt, updatedAt: user.updatedAt };
}

/**
 * The users use cases: registration, login (throttled per email and address, one count for
 * every way in), look-ups and search. Also the OAuth core's view of users (UserLookup).
 */
export class Users implements UserLookup {
  constructor(
    private readonly users: UserRepository,
    private readonly throttle: LoginThrottle,
    /** Told when a stored user changed, so a cached profile (bearer validation's) is dropped. */
    private readonly changed: (userId: number) => Promise<void> = async () => undefined,
  ) {}

  find(id: number): Promise<StoredUser | undefined> {
    return this.users.findById(id);
  }

  async findById(id: number): Promise<ResourceOwner | undefined> {
    const user = await this.users.findById(id);
    return user && toResourceOwner(user);
  }

  /**
   * One login attempt. Laravel's ThrottlesLogins: the attempt is counted before the password
   * is checked and a success clears the count, so parallel guesses cannot slip past the limit.
   */
  async login(email: string, password: string, clientAddress: string): Promise<LoginResult> {
    const throttle = await this.throttle.attempt(email, clientAddress);
    if (!throttle.allowed) return { status: 'throttled', throttle };
    const user = await this.findByCredentials(email, password);
    if (!user) return { status: 'invalid', throttle };
    await this.throttle.clear(email, clientAddress);
    return { status: 'valid', user };
  }

  async checkCredentials(email: string, password: string, clientAddress: string): Promise<CredentialCheck> {
    const result = await this.login(email, password, clientAddress);
    if (result.status === 'valid') return { status: 'valid', user: toResourceOwner(result.user) };
    if (result.status === 'throttled') return { status: 'throttled', retryAfter: result.throttle.retryAfter };
    return { status: 'invalid' };
  }

  /** Checks credentials without counting the attempt; an imported bcrypt hash is replaced by argon2id on success. */
  async findByCredentials(email: string, password: string): Promise<StoredUser | undefined> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      // Spend the same time as a real check, so response time does not reveal which emails exist.
      await verifyPassword(password, await dummyPasswordHash());
      return undefined;
    }
    const check = await verifyPassword(password, user.passwordHash);
    if (!check.ok) return undefined;
    if (check.needsRehash) {
      await this.users.updatePasswordHash(user.id, await hashPassword(password));
      await this.changed(user.id);
    }
    return user;
  }

  /**
   * Creates a user, or throws EmailTakenError. Two requests racing with the same email are
   * settled by the database's unique index: the loser is told the email is taken, not a 500.
   */
  async register(input: NewAccount): Promise<StoredUser> {
    if (await this.users.emailTaken(input.email)) throw new EmailTakenError();
    try {
      return await this.users.create({ name: input.name, email: input.email, passwordHash: await hashPassword(input.password) });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }

  emailTaken(email: string): Promise<boolean> {
    return this.users.emailTaken(email);
  }

  search(fragment: string, paging: { page: number; perPage: number }): Promise<UserPage> {
    return this.users.searchByName(fragment, paging);
  }
}

/** SQLite (better-sqlite3) and PostgreSQL (pg) report a unique index violation with these codes. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const { code } = error as { code: unknown };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
