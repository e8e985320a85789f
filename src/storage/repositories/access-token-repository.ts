import { CompiledQuery } from 'kysely';
import type { Insertable, Kysely } from 'kysely';
import type { AccessToken, AccessTokenRepository, NewAccessToken } from '../../oauth/ports.js';
import type { AccessTokenRow, Database, OAuthAccessTokensTable } from '../schema.js';
import { InsertBatcher } from '../insert-batcher.js';
import { toDbTimestamp } from '../timestamps.js';
import { readClientId, readRequiredDate, readStringArray } from './columns.js';

export function toAccessToken(row: AccessTokenRow): AccessToken {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: readClientId(row.client_id),
    name: row.name,
    scopes: readStringArray(row.scopes) ?? [],
    revoked: Boolean(row.revoked),
    createdAt: readRequiredDate(row.created_at),
    updatedAt: readRequiredDate(row.updated_at),
    expiresAt: readRequiredDate(row.expires_at),
    grantId: row.grant_id,
    resources: readStringArray(row.resources),
  };
}

/** The columns of a new token row, in the order `create` writes them (and the compiled INSERT binds them). */
const INSERT_COLUMNS = ['id', 'user_id', 'client_id', 'name', 'scopes', 'revoked', 'created_at', 'updated_at', 'expires_at', 'grant_id', 'resources'] as const;
/** A row of parameters only, so the SQL text fits every batch of its size. */
const PLACEHOLDER_ROW = Object.fromEntries(INSERT_COLUMNS.map((column) => [column, null])) as unknown as Insertable<OAuthAccessTokensTable>;
/** Batches are at most 200 rows (InsertBatcher), so this bounds the statement cache. */
const MAX_CACHED_BATCH_SIZES = 256;

export class KyselyAccessTokenRepository implements AccessTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // The token endpoint's hot path: no read first, and inserts of one event-loop turn share
  // one statement and one commit. Token ids are 320 random bits, never drawn twice; were one
  // ever repeated, the primary key refuses the row and that one request fails.
  private readonly inserts = new InsertBatcher<Insertable<OAuthAccessTokensTable>>(async (rows) => {
    await this.db.executeQuery(this.insertStatement(rows));
  });

  /** The multi-row INSERT's SQL by row count: Kysely builds it once per batch size, not once per batch. */
  private readonly insertSql = new Map<number, string>();

  private insertStatement(rows: Insertable<OAuthAccessTokensTable>[]): CompiledQuery {
    let text = this.insertSql.get(rows.length);
    if (text === undefined) {
      text = this.db.insertInto('oauth_access_tokens').values(rows.map(() => PLACEHOLDER_ROW)).compile().sql;
      if (this.insertSql.size < MAX_CACHED_BATCH_SIZES) this.insertSql.set(rows.length, text);
    }
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of INSERT_COLUMNS) parameters.push(row[column] ?? null);
    return CompiledQuery.raw(text, parameters);
  }

  async create(token: NewAccessToken): Promise<void> {
    const createdAt = toDbTimestamp(token.createdAt);
    // Every column of INSERT_COLUMNS, in its order: the compiled statement binds them by position.
    await this.inserts.add({
      id: token.id,
      user_id: token.userId,
      client_id: token.clientId,
      name: token.name,
      scopes: JSON.stringify(token.scopes),
      revoked: 0,
      created_at: createdAt,
      updated_at: createdAt,
      expires_at: toDbTimestamp(token.expiresAt),
      grant_id: token.grantId,
      resources: token.resources ? JSON.stringify(token.resources) : null,
    });
  }

  async findById(id: string): Promise<AccessToken | undefined> {
    const row = await this.db.selectFrom('oauth_access_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAccessToken(row);
  }

  async revoke(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('oauth_access_tokens')
        .set({ revoked: 1, updated_at: toDbTimestamp(new Date()) })
        .where('id', '=', id)
        .where('revoked', '=', 0)
        .executeTakeFirst();
      // Refresh tokens go too even when the access token was already revoked: Passport's own
      // revokeAccessToken left them live, and an imported database may hold such rows.
      await trx
        .updateTable('oauth_refresh_tokens')
        .set({ revoked: 1 })
        .where('access_token_id', '=', id)
        .where('revoked', '=', 0)
        .execute();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  // RFC 9700 §4.14: a replayed code or refresh token revokes everything issued from the grant.
  // The grant is recorded first: a concurrent winner that writes its tokens after this
  // transaction finds it and revokes them itself (see isGrantRevoked).
  async revokeGrant(grantId: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('oauth_revoked_grants')
        .values({ grant_id: grantId, revoked_at: toDbTimestamp(new Date()) })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return revokeAccessTokensWhere(trx, 'grant_id', grantId);
    });
  }

  async isGrantRevoked(grantId: string): Promise<boolean> {
    const row = await this.db.selectFrom('oauth_revoked_grants').select('grant_id').where('grant_id', '=', grantId).executeTakeFirst();
    return row !== undefined;
  }

  async listForUser(
    userId: number,
    options: { personal: boolean; personalClientId?: string | undefined },
  ): Promise<AccessToken[]> {
    const { personal, personalClientId } = options;
    // Without a personal access client there are no personal access tokens.
    if (personal && personalClientId === undefined) return [];
    let query = this.db
      .selectFrom('oauth_access_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked', '=', 0)
      .where('expires_at', '>', toDbTimestamp(new Date()));
    if (personalClientId !== undefined) {
      query = query.where('client_id', personal ? '=' : '<>', personalClientId);
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toAccessToken);
  }
}

/**
 * Revokes the live access tokens whose `column` equals `value` and their refresh tokens, inside
 * the caller's transaction; returns the revoked access token ids (for the revocation cache).
 * For a grant, refresh rows are also matched by their own grant_id, in case one lost its access token.
 */
export async function revokeAccessTokensWhere(trx: Kysely<Database>, column: 'client_id' | 'grant_id', value: string): Promise<string[]> {
  const tokens = await trx
    .updateTable('oauth_access_tokens')
    .set({ revoked: 1, updated_at: toDbTimestamp(new Date()) })
    .where(column, '=', value)
    .where('revoked', '=', 0)
    .returning('id')
    .execute();
  await trx
    .updateTable('oauth_refresh_tokens')
    .set({ revoked: 1 })
    .where('revoked', '=', 0)
    .where((eb) => {
      const byAccessToken = eb('access_token_id', 'in', eb.selectFrom('oauth_access_tokens').select('id').where(column, '=', value));
      return column === 'grant_id' ? eb.or([eb('grant_id', '=', value), byAccessToken]) : byAccessToken;
    })
    .execute();
  return tokens.map((token) => token.id);
}
