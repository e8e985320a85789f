import type { Kysely } from 'kysely';
import type { AuthCode, AuthCodeRepository, ConsumeResult } from '../../oauth/ports.js';
import type { AuthCodeRow, Database } from '../schema.js';
import { toDbTimestamp } from '../timestamps.js';
import { readClientId, readRequiredDate, readStringArray } from './columns.js';
import { consumeOnce } from './consume-once.js';

export function toAuthCode(row: AuthCodeRow): AuthCode {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: readClientId(row.client_id),
    scopes: readStringArray(row.scopes) ?? [],
    revoked: Boolean(row.revoked),
    expiresAt: readRequiredDate(row.expires_at),
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    codeChallengeMethod: row.code_challenge_method,
    nonce: row.nonce,
    authTime: row.auth_time,
    resources: readStringArray(row.resources),
  };
}

export class KyselyAuthCodeRepository implements AuthCodeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(code: Omit<AuthCode, 'revoked' | 'resources'> & { resources?: string[] | null }): Promise<void> {
    await this.db
      .insertInto('oauth_auth_codes')
      .values({
        id: code.id,
        user_id: code.userId,
        client_id: code.clientId,
        scopes: JSON.stringify(code.scopes),
        revoked: 0,
        expires_at: toDbTimestamp(code.expiresAt),
        redirect_uri: code.redirectUri,
        code_challenge: code.codeChallenge,
        code_challenge_method: code.codeChallengeMethod,
        nonce: code.nonce,
        auth_time: code.authTime,
        resources: code.resources ? JSON.stringify(code.resources) : null,
      })
      .execute();
  }

  // RFC 6749 §4.1.2: a code is single use.
  consume(id: string): Promise<ConsumeResult<AuthCode>> {
    return consumeOnce(this.db, 'oauth_auth_codes', id, {
      read: async (codeId) => {
        const row = await this.db.selectFrom('oauth_auth_codes').selectAll().where('id', '=', codeId).executeTakeFirst();
        return row && toAuthCode(row);
      },
    });
  }

}
