/**
 * What the accounts module needs from storage. Implementations live in src/storage; nothing
 * here knows SQL. Dates are JS Dates; storage converts.
 */

/** A user as stored, password hash included: never hand this to a presenter as is. */
export interface StoredUser {
  id: number;
  name: string;
  email: string;
  emailVerifiedAt: Date | null;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A user as shown to anyone, the user included: everything but the password hash. */
export type UserProfile = Omit<StoredUser, 'passwordHash'>;

export interface NewUser {
  name: string;
  email: string;
  passwordHash: string;
}

export interface UserPage {
  rows: StoredUser[];
  /** Matching users over all pages. */
  total: number;
}

export interface UserRepository {
  create(user: NewUser): Promise<StoredUser>;
  findById(id: number): Promise<StoredUser | undefined>;
  /** Compared case-insensitively; the oldest account wins when an imported database holds case twins. */
  findByEmail(email: string): Promise<StoredUser | undefined>;
  emailTaken(email: string): Promise<boolean>;
  updatePasswordHash(id: number, passwordHash: string): Promise<void>;
  /** Users whose name contains `fragment`, case-insensitively, ordered by id; pages count from 1. */
  searchByName(fragment: string, paging: { page: number; perPage: number }): Promise<UserPage>;
}

/** The rows the database session store needs (sessions live in the `sessions` table without Redis). */
export interface SessionRows {
  find(idHash: string): Promise<{ payload: string; lastActivity: number } | undefined>;
  save(row: { id: string; userId: number | null; ipAddress: string | null; userAgent: string | null; payload: string; lastActivity: number }): Promise<void>;
  destroy(idHash: string): Promise<void>;
  destroyOlderThan(unixSeconds: number): Promise<number>;
}
