import type { Kysely } from 'kysely';
import type { ConsumeResult } from '../../oauth/ports.js';
import type { Database } from '../schema.js';
import { toDbTimestamp } from '../timestamps.js';

/** The single-use records: authorization codes, refresh tokens and device codes. */
export type ConsumableTable = 'oauth_auth_codes' | 'oauth_refresh_tokens' | 'oauth_device_codes';

export interface ConsumeOptions<T> {
  /** Reads the record back after the update, whatever its state. */
  read(id: string): Promise<T | undefined>;
  /** Device codes are consumable only once approved. */
  approvedOnly?: boolean;
  /** Refresh tokens record when they were rotated (the reuse interval starts then). */
  stampConsumedAt?: boolean;
}

/**
 * Marks a record used, exactly once. The conditional `UPDATE … WHERE revoked = 0` is the lock
 * (a row lock on PostgreSQL, the single writer on SQLite): of any number of concurrent callers,
 * exactly one changes the row and gets `consumed`; the others get `reused` (a replay) or
 * `missing`. Expiry is the caller's business: it must still see an expired record to say so.
 */
export async function consumeOnce<T>(db: Kysely<Database>, table: ConsumableTable, id: string, options: ConsumeOptions<T>): Promise<ConsumeResult<T>> {
  // Every consumable table has `id` and `revoked`; one of them names the columns for the type checker.
  const result = options.stampConsumedAt
    ? await db.updateTable('oauth_refresh_tokens').set({ revoked: 1, consumed_at: toDbTimestamp(new Date()) }).where('id', '=', id).where('revoked', '=', 0).executeTakeFirst()
    : await consumeUpdate(db, table, id, options.approvedOnly ?? false);
  const record = await options.read(id);
  if (!record) return { status: 'missing' };
  return Number(result.numUpdatedRows) === 1 ? { status: 'consumed', record } : { status: 'reused', record };
}

function consumeUpdate(db: Kysely<Database>, table: ConsumableTable, id: string, approvedOnly: boolean) {
  let update = db
    .updateTable(table as 'oauth_device_codes')
    .set({ revoked: 1 })
    .where('id', '=', id)
    .where('revoked', '=', 0);
  if (approvedOnly) update = update.where('user_approved_at', 'is not', null);
  return update.executeTakeFirst();
}
