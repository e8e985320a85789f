import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { NewUser, StoredUser, UserPage, UserRepository } from '../../accounts/ports.js';
import type { Database, UserRow } from '../schema.js';
import { fromDbTimestamp, toDbTimestamp } from '../timestamps.js';
import { readRequiredDate } from './columns.js';

export function toStoredUser(row: UserRow): StoredUser {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    emailVerifiedAt: fromDbTimestamp(row.email_verified_at),
    passwordHash: row.password,
    createdAt: readRequiredDate(row.created_at),
    updatedAt: readRequiredDate(row.updated_at),
  };
}

/** LIKE's wildcards and its escape character, escaped, so the fragment matches literally. */
export function escapeLike(fragment: string): string {
  return fragment.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export class KyselyUserRepository implements UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(user: NewUser): Promise<StoredUser> {
    const now = toDbTimestamp(new Date());
    const row = await this.db
      .insertInto('users')
      .values({ name: user.name, email: user.email, password: user.passwordHash, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStoredUser(row);
  }

  async findById(id: number): Promise<StoredUser | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toStoredUser(row);
  }

  // Emails are stored as given but compared case-insensitively, as users type them either way.
  // Both sides go through the database's lower() so the comparison is one function's view.
  async findByEmail(email: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row && toStoredUser(row);
  }

  async emailTaken(email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password: passwordHash, updated_at: toDbTimestamp(new Date()) })
      .where('id', '=', id)
      .execute();
  }

  /** Users whose name contains `fragment`, case-insensitively, ordered by id; page counts from 1. */
  async searchByName(fragment: string, paging: { page: number; perPage: number }): Promise<UserPage> {
    const perPage = Math.max(1, Math.floor(paging.perPage));
    const page = Math.max(1, Math.floor(paging.page));
    const pattern = `%${escapeLike(fragment)}%`;
    // An explicit ESCAPE: SQLite has no default escape character, PostgreSQL's is the backslash.
    const matches = sql<boolean>`lower(name) like lower(${pattern}) escape ${'\\'}`;
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('users')
        .selectAll()
        .where(matches)
        .orderBy('id')
        .limit(perPage)
        .offset((page - 1) * perPage)
        .execute(),
      this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('total'))
        .where(matches)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map(toStoredUser), total: Number(count.total) };
  }
}
