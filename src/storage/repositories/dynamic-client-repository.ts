import type { Kysely } from 'kysely';
import type { Client, DynamicClientChanges, DynamicClientRepository } from '../../oauth/ports.js';
import type { Database } from '../schema.js';
import { toDbTimestamp } from '../timestamps.js';
import { toClient } from './client-repository.js';

/** The clients RFC 7591 registered (`origin = 'dynamic'`): their registration access token and RFC 7592 updates. */
export class KyselyDynamicClientRepository implements DynamicClientRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findWithRegistrationToken(clientId: string): Promise<{ client: Client; registrationTokenHash: string } | undefined> {
    const row = await this.live(clientId).selectAll().executeTakeFirst();
    if (!row || row.registration_token === null) return undefined;
    return { client: toClient(row), registrationTokenHash: row.registration_token };
  }

  async replaceRegistration(clientId: string, changes: DynamicClientChanges): Promise<Client | undefined> {
    const result = await this.db
      .updateTable('oauth_clients')
      .set({
        name: changes.name,
        redirect: changes.redirectUris.join(','),
        grant_types: JSON.stringify(changes.grantTypes),
        metadata: JSON.stringify(changes.metadata),
        updated_at: toDbTimestamp(new Date()),
      })
      .where('id', '=', clientId)
      .where('origin', '=', 'dynamic')
      .where('revoked', '=', 0)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const row = await this.live(clientId).selectAll().executeTakeFirst();
    return row && toClient(row);
  }

  private live(clientId: string) {
    return this.db.selectFrom('oauth_clients').where('id', '=', clientId).where('origin', '=', 'dynamic').where('revoked', '=', 0);
  }
}
