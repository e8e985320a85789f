import type { Kysely } from 'kysely';
import type { ConsumeResult, RefreshToken, RefreshTokenRepository } from '../../oauth/ports.js';
import type { Database, RefreshTokenRow } from '../schema.js';
import { fromDbTimestamp, toDbTimestamp } from '../timestamps.js';
import { readRequiredDate } from './columns.js';
import { consumeOnce } from './consume-once.js';

export function toRefreshToken(row: RefreshTokenRow): RefreshToken {
  return {
    id: row.id,
    accessTokenId: row.access_token_id,
    revoked: Boolean(row.revoked),
    expiresAt: readRequiredDate(row.expires_at),
    grantId: row.grant_id,
    consumedAt: fromDbTimestamp(row.consumed_at),
  };
}

export class KyselyRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: Omit<RefreshToken, 'revoked' | 'consumedAt'>): Promise<void> {
    await this.db
      .insertInto('oauth_refresh_tokens')
      .values({
        id: token.id,
        access_token_id: token.accessTokenId,
        revoked: 0,
        expires_at: toDbTimestamp(token.expiresAt),
        grant_id: token.grantId,
      })
      .execute();
  }

  // Rotation hands out one new pair per refresh token, even to concurrent requests.
  consume(id: string): Promise<ConsumeResult<RefreshToken>> {
    return consumeOnce(this.db, 'oauth_refresh_tokens', id, { read: (tokenId) => this.findById(tokenId), stampConsumedAt: true });
  }


  async findById(id: string): Promise<RefreshToken | undefined> {
    const row = await this.db.selectFrom('oauth_refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRefreshToken(row);
  }

  async revoke(id: string): Promise<void> {
    await this.db.updateTable('oauth_refresh_tokens').set({ revoked: 1 }).where('id', '=', id).execute();
  }
}
