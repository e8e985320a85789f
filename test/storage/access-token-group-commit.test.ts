import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/storage/database.js';
import { KyselyAccessTokenRepository } from '../../src/storage/repositories/access-token-repository.js';
import { freshDatabase, testDatabases } from '../helpers/services.js';

function token(id: string) {
  const now = new Date();
  return { id, userId: null, clientId: '00000000-0000-4000-8000-000000000000', name: null, scopes: ['a'], createdAt: now, expiresAt: new Date(now.getTime() + 60_000), grantId: null };
}

describe.each(testDatabases())('access token inserts share a commit ($label)', ({ label }) => {
  let handle: DatabaseHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  it('persists every row of a burst before acknowledging it', async () => {
    handle = await freshDatabase(label);
    const repository = new KyselyAccessTokenRepository(handle.db);
    const ids = Array.from({ length: 120 }, (_, i) => `token-${i}`);
    await Promise.all(ids.map((id) => repository.create(token(id))));
    const { count } = await handle.db.selectFrom('oauth_access_tokens').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(120);
  });

  it('fails only the caller whose row collides when a burst contains a duplicate id', async () => {
    handle = await freshDatabase(label);
    const repository = new KyselyAccessTokenRepository(handle.db);
    await repository.create(token('taken'));
    const results = await Promise.allSettled(['a', 'taken', 'b', 'c'].map((id) => repository.create(token(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const rows = await handle.db.selectFrom('oauth_access_tokens').select('id').orderBy('id').execute();
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'taken']);
  });
});
