import type { Kysely } from 'kysely';
import type { SessionRows } from '../../accounts/ports.js';
import type { Database, SessionRow } from '../schema.js';

/** A server-side session; `id` is the SHA-256 of the id held in the cookie. */
export interface StoredSession {
  id: string;
  userId: number | null;
  ipAddress: string | null;
  userAgent: string | null;
  /** JSON. */
  payload: string;
  /** Unix seconds. */
  lastActivity: number;
}

function toStoredSession(row: SessionRow): StoredSession {
  return {
    id: row.id,
    userId: row.user_id,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    payload: row.payload,
    lastActivity: Number(row.last_activity),
  };
}

export class KyselySessionRepository implements SessionRows {
  constructor(private readonly db: Kysely<Database>) {}

  async find(idHash: string): Promise<StoredSession | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', idHash).executeTakeFirst();
    return row && toStoredSession(row);
  }

  // One statement, so two nodes saving the same session never collide on the primary key.
  async save(session: StoredSession): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        ip_address: session.ipAddress,
        user_agent: session.userAgent,
        payload: session.payload,
        last_activity: session.lastActivity,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          user_id: eb.ref('excluded.user_id'),
          ip_address: eb.ref('excluded.ip_address'),
          user_agent: eb.ref('excluded.user_agent'),
          payload: eb.ref('excluded.payload'),
          last_activity: eb.ref('excluded.last_activity'),
        })),
      )
      .execute();
  }

  async destroy(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', idHash).execute();
  }

  /** Garbage collection: removes sessions idle since before `unixSeconds`. Returns how many. */
  async destroyOlderThan(unixSeconds: number): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('last_activity', '<', unixSeconds).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
