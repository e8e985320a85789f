import type { Kysely, Selectable } from 'kysely';
import type { InitialAccessToken, InitialAccessTokenRepository } from '../../oauth/ports.js';
import type { Database, OAuthRegistrationTokensTable } from '../schema.js';
import { flag, fromDbTimestamp, toDbTimestamp } from '../timestamps.js';
import { readRequiredDate } from './columns.js';

function toInitialAccessToken(row: Selectable<OAuthRegistrationTokensTable>): InitialAccessToken {
  return {
    id: row.id,
    name: row.name,
    revoked: Boolean(row.revoked),
    createdAt: readRequiredDate(row.created_at),
    expiresAt: fromDbTimestamp(row.expires_at),
  };
}

/** Initial access tokens for dynamic registration (RFC 7591 §3), in `oauth_registration_tokens`, stored as SHA-256. */
export class KyselyInitialAccessTokenRepository implements InitialAccessTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(token: Omit<InitialAccessToken, 'revoked'>): Promise<void> {
    await this.db
      .insertInto('oauth_registration_tokens')
      .values({
        id: token.id,
        name: token.name,
        revoked: flag(false),
        created_at: toDbTimestamp(token.createdAt),
        expires_at: token.expiresAt === null ? null : toDbTimestamp(token.expiresAt),
      })
      .execute();
  }

  async findById(id: string): Promise<InitialAccessToken | undefined> {
    const row = await this.db.selectFrom('oauth_registration_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toInitialAccessToken(row);
  }

  async list(): Promise<InitialAccessToken[]> {
    const rows = await this.db.selectFrom('oauth_registration_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toInitialAccessToken);
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('oauth_registration_tokens')
      .set({ revoked: flag(true) })
      .where('id', '=', id)
      .where('revoked', '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
