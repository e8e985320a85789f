import type { Kysely } from 'kysely';
import type { ConsumeResult, DeviceCode, DeviceCodeRepository, NewDeviceCode } from '../../oauth/ports.js';
import type { Database, DeviceCodeRow } from '../schema.js';
import { fromDbTimestamp, toDbTimestamp } from '../timestamps.js';
import { readClientId, readRequiredDate, readStringArray } from './columns.js';
import { consumeOnce } from './consume-once.js';

export function toDeviceCode(row: DeviceCodeRow): DeviceCode {
  return {
    id: row.id,
    userId: row.user_id === null ? null : Number(row.user_id),
    clientId: readClientId(row.client_id),
    userCode: row.user_code,
    scopes: readStringArray(row.scopes) ?? [],
    revoked: Boolean(row.revoked),
    userApprovedAt: fromDbTimestamp(row.user_approved_at),
    lastPolledAt: fromDbTimestamp(row.last_polled_at),
    expiresAt: readRequiredDate(row.expires_at),
    resources: readStringArray(row.resources),
  };
}

/** `oauth_device_codes` (RFC 8628). Every state change is one conditional UPDATE, so concurrent requests cannot both win. */
export class KyselyDeviceCodeRepository implements DeviceCodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(code: NewDeviceCode): Promise<boolean> {
    // ON CONFLICT DO NOTHING (both databases): a taken user code is a redraw, not an error.
    const result = await this.db
      .insertInto('oauth_device_codes')
      .values({
        id: code.id,
        user_id: null,
        client_id: code.clientId,
        user_code: code.userCode,
        scopes: JSON.stringify(code.scopes),
        revoked: 0,
        user_approved_at: null,
        last_polled_at: null,
        expires_at: toDbTimestamp(code.expiresAt),
        resources: code.resources ? JSON.stringify(code.resources) : null,
      })
      .onConflict((conflict) => conflict.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async findById(id: string): Promise<DeviceCode | undefined> {
    const row = await this.db.selectFrom('oauth_device_codes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDeviceCode(row);
  }

  async findByUserCode(userCode: string): Promise<DeviceCode | undefined> {
    const row = await this.db.selectFrom('oauth_device_codes').selectAll().where('user_code', '=', userCode).executeTakeFirst();
    return row && toDeviceCode(row);
  }

  // A denial keeps the user and no approval time (as Passport records it) and revokes the code.
  async complete(id: string, answer: { userId: number; approved: boolean; at: Date }): Promise<boolean> {
    const at = toDbTimestamp(answer.at);
    const result = await this.db
      .updateTable('oauth_device_codes')
      .set(answer.approved ? { user_id: answer.userId, user_approved_at: at } : { user_id: answer.userId, revoked: 1 })
      .where('id', '=', id)
      .where('user_id', 'is', null)
      .where('revoked', '=', 0)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recordPoll(id: string, at: Date, intervalSeconds: number): Promise<boolean> {
    const earliest = toDbTimestamp(new Date(at.getTime() - intervalSeconds * 1000));
    const result = await this.db
      .updateTable('oauth_device_codes')
      .set({ last_polled_at: toDbTimestamp(at) })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb('last_polled_at', '<=', earliest)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  // RFC 8628 §3.5 with RFC 6749 §4.1.2's rule for codes: one exchange per approval.
  consume(id: string): Promise<ConsumeResult<DeviceCode>> {
    return consumeOnce(this.db, 'oauth_device_codes', id, { read: (codeId) => this.findById(codeId), approvedOnly: true });
  }

}
