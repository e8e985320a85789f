import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Client, ClientRepository, MetadataDocumentClient, NewClient } from '../../oauth/ports.js';
import type { ClientRow, Database } from '../schema.js';
import { flag, toDbTimestamp } from '../timestamps.js';
import { readClientId, readJsonObject, readRequiredDate, readStringArray } from './columns.js';
import { revokeAccessTokensWhere } from './access-token-repository.js';

/** Passport's `redirect` column: comma-separated URIs (spaces tolerated, as Passport's UI allows). */
function readRedirects(text: string): string[] {
  return text
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
}

export function toClient(row: ClientRow): Client {
  return {
    id: readClientId(row.id),
    userId: row.user_id,
    name: row.name,
    secretHash: row.secret,
    provider: row.provider,
    redirectUris: readRedirects(row.redirect),
    personalAccessClient: Boolean(row.personal_access_client),
    passwordClient: Boolean(row.password_client),
    revoked: Boolean(row.revoked),
    skipsAuthorization: Boolean(row.skips_authorization),
    grantTypes: readStringArray(row.grant_types),
    origin: row.origin === 'cimd' || row.origin === 'dynamic' ? row.origin : null,
    metadata: readJsonObject(row.metadata),
    createdAt: readRequiredDate(row.created_at),
    updatedAt: readRequiredDate(row.updated_at),
  };
}

export class KyselyClientRepository implements ClientRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: string): Promise<Client | undefined> {
    const row = await this.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toClient(row);
  }

  async listForUser(userId: number): Promise<Client[]> {
    const rows = await this.db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked', '=', 0)
      .orderBy('name')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toClient);
  }

  async listAll(): Promise<Client[]> {
    const rows = await this.db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toClient);
  }

  async create(client: NewClient): Promise<Client> {
    const now = toDbTimestamp(new Date());
    const row = {
      id: client.id ?? randomUUID(),
      user_id: client.userId,
      name: client.name,
      secret: client.secretHash,
      provider: client.provider ?? null,
      redirect: client.redirectUris.join(','),
      personal_access_client: flag(client.personalAccessClient ?? false),
      password_client: flag(client.passwordClient ?? false),
      revoked: 0,
      skips_authorization: flag(client.skipsAuthorization ?? false),
      grant_types: client.grantTypes ? JSON.stringify(client.grantTypes) : null,
      origin: client.origin ?? null,
      metadata: client.metadata ? JSON.stringify(client.metadata) : null,
      registration_token: client.registrationTokenHash ?? null,
      created_at: now,
      updated_at: now,
    };
    if (!client.personalAccessClient) {
      await this.db.insertInto('oauth_clients').values(row).execute();
      return toClient(row);
    }
    // Passport records its personal access client in a table of its own: both rows or neither.
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('oauth_clients').values(row).execute();
      await trx.insertInto('oauth_personal_access_clients').values({ client_id: row.id, created_at: now, updated_at: now }).execute();
    });
    return toClient(row);
  }

  async update(id: string, changes: { name?: string; redirectUris?: string[] }): Promise<Client | undefined> {
    const result = await this.db
      .updateTable('oauth_clients')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.redirectUris !== undefined ? { redirect: changes.redirectUris.join(',') } : {}),
        updated_at: toDbTimestamp(new Date()),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.findById(id);
  }

  // One transaction: a client must never be seen revoked while its tokens still work.
  async revoke(id: string): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const now = toDbTimestamp(new Date());
      await trx.updateTable('oauth_clients').set({ revoked: 1, updated_at: now }).where('id', '=', id).execute();
      return revokeAccessTokensWhere(trx, 'client_id', id);
    });
  }

  async updateSecretHash(id: string, secretHash: string): Promise<void> {
    await this.db
      .updateTable('oauth_clients')
      .set({ secret: secretHash, updated_at: toDbTimestamp(new Date()) })
      .where('id', '=', id)
      .execute();
  }

  async findPersonalAccessClient(): Promise<Client | undefined> {
    // Passport's own record of the personal access client comes first…
    const marked = await this.db
      .selectFrom('oauth_personal_access_clients as p')
      .innerJoin('oauth_clients as c', 'c.id', 'p.client_id')
      .selectAll('c')
      .where('c.revoked', '=', 0)
      .orderBy('p.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (marked) return toClient(marked);
    // …then any client flagged as one (a database where the join table was never filled).
    const flagged = await this.db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('personal_access_client', '=', 1)
      .where('revoked', '=', 0)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return flagged && toClient(flagged);
  }

  // One statement on both databases: two nodes resolving the same document at once cannot collide.
  async saveMetadataDocumentClient(record: MetadataDocumentClient): Promise<Client> {
    const now = toDbTimestamp(new Date());
    await this.db
      .insertInto('oauth_clients')
      .values({
        id: record.id,
        user_id: null,
        name: record.name,
        secret: null,
        provider: null,
        redirect: record.redirectUris.join(','),
        personal_access_client: 0,
        password_client: 0,
        revoked: 0,
        skips_authorization: 0,
        grant_types: JSON.stringify(record.grantTypes),
        origin: 'cimd',
        metadata: JSON.stringify(record.metadata),
        created_at: now,
        updated_at: now,
      })
      .onConflict((conflict) =>
        conflict
          .column('id')
          .doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            redirect: eb.ref('excluded.redirect'),
            grant_types: eb.ref('excluded.grant_types'),
            metadata: eb.ref('excluded.metadata'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          // Only a mirror of a document: never an id that belongs to another kind of client.
          .where('oauth_clients.origin', '=', 'cimd'),
      )
      .execute();
    const stored = await this.findById(record.id);
    if (!stored || stored.origin !== 'cimd') throw new Error(`client id ${record.id} is taken by a client that is not a metadata document`);
    return stored;
  }

  /** Records an existing client as the personal access client (Passport's marker row). */
  async markPersonalAccessClient(clientId: string): Promise<void> {
    const now = toDbTimestamp(new Date());
    await this.db.insertInto('oauth_personal_access_clients').values({ client_id: clientId, created_at: now, updated_at: now }).execute();
  }
}
