import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { NewResource, Resource, ResourceRepository } from '../../oauth/ports.js';
import type { Database, ResourceRow } from '../schema.js';
import { toDbTimestamp } from '../timestamps.js';
import { readRequiredDate, readStringArray } from './columns.js';

export function toResource(row: ResourceRow): Resource {
  return {
    id: row.id,
    uri: row.uri,
    name: row.name,
    scopes: readStringArray(row.scopes),
    tokenTtl: row.token_ttl === null ? null : Number(row.token_ttl),
    userId: row.user_id === null ? null : Number(row.user_id),
    createdAt: readRequiredDate(row.created_at),
    updatedAt: readRequiredDate(row.updated_at),
  };
}

/** `oauth_resources`: the resource servers of RFC 8707, keyed by their URI. */
export class KyselyResourceRepository implements ResourceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(resource: NewResource): Promise<Resource | undefined> {
    const now = toDbTimestamp(new Date());
    const row: ResourceRow = {
      id: randomUUID(),
      uri: resource.uri,
      name: resource.name,
      scopes: resource.scopes === null ? null : JSON.stringify(resource.scopes),
      token_ttl: resource.tokenTtl,
      user_id: resource.userId,
      created_at: now,
      updated_at: now,
    };
    // A taken URI is an answer (the caller says so), not an error: ON CONFLICT on both databases.
    const result = await this.db.insertInto('oauth_resources').values(row).onConflict((conflict) => conflict.doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1 ? toResource(row) : undefined;
  }

  async findByUri(uri: string): Promise<Resource | undefined> {
    const row = await this.db.selectFrom('oauth_resources').selectAll().where('uri', '=', uri).executeTakeFirst();
    return row && toResource(row);
  }

  async findById(id: string): Promise<Resource | undefined> {
    const row = await this.db.selectFrom('oauth_resources').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toResource(row);
  }

  async list(filter?: { userId: number }): Promise<Resource[]> {
    let query = this.db.selectFrom('oauth_resources').selectAll();
    if (filter) query = query.where('user_id', '=', filter.userId);
    const rows = await query.orderBy('name').orderBy('uri').execute();
    return rows.map(toResource);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('oauth_resources').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
