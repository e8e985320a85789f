import type { ResourceOwner, UserLookup } from '../oauth/ports.js';
import type { StoredUser, UserRepository } from '../storage/repositories/user-repository.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

export function toResourceOwner(user: StoredUser): ResourceOwner {
  return { id: user.id, name: user.name, email: user.email, emailVerifiedAt: user.emailVerifiedAt };
}

/** Users as the rest of the application sees them: registration and credential checks. */
export class UserAccounts implements UserLookup {
  constructor(private readonly users: UserRepository) {}

  async findById(id: number): Promise<ResourceOwner | undefined> {
    const user = await this.users.findById(id);
    return user && toResourceOwner(user);
  }

  async findStored(id: number): Promise<StoredUser | undefined> {
    return this.users.findById(id);
  }

  /** Checks credentials; an imported bcrypt hash is replaced by argon2id on success. */
  async verifyCredentials(email: string, password: string): Promise<ResourceOwner | undefined> {
    const user = await this.findByCredentials(email, password);
    return user && toResourceOwner(user);
  }

  async findByCredentials(email: string, password: string): Promise<StoredUser | undefined> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      // Spend the same time as a real check, so response time does not reveal which emails exist.
      await verifyPassword(password, await dummyPasswordHash());
      return undefined;
    }
    const check = await verifyPassword(password, user.passwordHash);
    if (!check.ok) return undefined;
    if (check.needsRehash) await this.users.updatePasswordHash(user.id, await hashPassword(password));
    return user;
  }

  async register(input: { name: string; email: string; password: string }): Promise<StoredUser> {
    return this.users.create({ name: input.name, email: input.email, passwordHash: await hashPassword(input.password) });
  }

  emailTaken(email: string): Promise<boolean> {
    return this.users.emailTaken(email);
  }
}
