import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { toDbTimestamp } from '../timestamps.js';

export interface PurgeOptions {
  /** Remove revoked rows, whatever their age. */
  revoked?: boolean;
  /** Remove rows that expired more than `olderThanHours` ago. */
  expired?: boolean;
  /** Retention of expired rows; Passport's default is seven days. */
  olderThanHours?: number;
  /** The clock, for tests. */
  now?: Date;
}

export interface PurgeCounts {
  accessTokens: number;
  refreshTokens: number;
  authCodes: number;
  deviceCodes: number;
}

type TokenTable = 'oauth_access_tokens' | 'oauth_refresh_tokens' | 'oauth_auth_codes' | 'oauth_device_codes';

const DEFAULT_RETENTION_HOURS = 7 * 24;

/**
 * `authgate purge`, after Passport's `passport:purge`: with neither flag, both; revoked rows go
 * whatever their age, expired ones once they are older than the retention. Passport compares
 * only the date part of `expires_at`; this compares the full timestamp.
 */
export class PurgeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async purge(options: PurgeOptions = {}): Promise<PurgeCounts> {
    // Passport: `--revoked --expired` and no flag at all both mean both.
    const both = Boolean(options.revoked) === Boolean(options.expired);
    const revoked = both || options.revoked === true;
    const expired = both || options.expired === true;
    const now = options.now ?? new Date();
    const hours = options.olderThanHours ?? DEFAULT_RETENTION_HOURS;
    const cutoff = toDbTimestamp(new Date(now.getTime() - hours * 3_600_000));
    const nowText = toDbTimestamp(now);

    const dead = <T extends TokenTable>(eb: ExpressionBuilder<Database, T>) => {
      // Each table has `revoked` and `expires_at`; the cast names one so the builder can type them.
      const e = eb as unknown as ExpressionBuilder<Database, 'oauth_refresh_tokens'>;
      const conditions = [];
      if (revoked) conditions.push(e('revoked', '=', 1));
      if (expired) conditions.push(e('expires_at', '<', cutoff));
      return e.or(conditions);
    };

    // An access token whose refresh token is still live stays, expired or not — the
    // refresh grant reads the user, client and scopes from it.
    const accessTokens = await this.db
      .deleteFrom('oauth_access_tokens')
      .where((eb) =>
        eb.and([
          dead(eb),
          eb.not(
            eb.exists(
              eb
                .selectFrom('oauth_refresh_tokens as r')
                .select('r.id')
                .whereRef('r.access_token_id', '=', 'oauth_access_tokens.id')
                .where('r.revoked', '=', 0)
                .where('r.expires_at', '>', nowText),
            ),
          ),
        ]),
      )
      .executeTakeFirst();
    const refreshTokens = await this.db.deleteFrom('oauth_refresh_tokens').where(dead).executeTakeFirst();
    const authCodes = await this.db.deleteFrom('oauth_auth_codes').where(dead).executeTakeFirst();
    const deviceCodes = await this.db.deleteFrom('oauth_device_codes').where(dead).executeTakeFirst();

    return {
      accessTokens: Number(accessTokens.numDeletedRows),
      refreshTokens: Number(refreshTokens.numDeletedRows),
      authCodes: Number(authCodes.numDeletedRows),
      deviceCodes: Number(deviceCodes.numDeletedRows),
    };
  }
}
