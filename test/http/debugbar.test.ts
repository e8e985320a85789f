import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { createTestApp } from '../helpers/app.js';
import { REDIS_URL } from '../helpers/services.js';

const caches = ['memory', ...(REDIS_URL ? ['redis' as const] : [])] as const;

describe('DELETE /_debugbar/cache/{key}/{tags?} without APP_DEBUG', () => {
  it('does not exist', async () => {
    const t = await createTestApp();
    try {
      await t.cache.put('1', 'value', 60);
      for (const url of ['/_debugbar/cache/1/1', '/_debugbar/cache/1']) {
        const res = await t.app.inject({ method: 'DELETE', url, headers: { accept: 'application/json' } });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ message: `The route ${url.slice(1)} could not be found.`, status: 404 });
      }
      expect(await t.cache.get('1')).toBe('value');
    } finally {
      await t.close();
    }
  });
});

describe.each(caches)('DELETE /_debugbar/cache/{key}/{tags?} with APP_DEBUG=true (%s cache)', (cache) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_DEBUG: 'true' }, redis: cache === 'redis' });
  });
  afterAll(() => t.close());

  it('forgets an untagged key and says whether it existed', async () => {
    await t.cache.put('greeting', 'hello', 60);
    const first = await t.app.inject({ method: 'DELETE', url: '/_debugbar/cache/greeting' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ success: true });
    expect(await t.cache.get('greeting')).toBeUndefined();
    const second = await t.app.inject({ method: 'DELETE', url: '/_debugbar/cache/greeting' });
    expect(second.json()).toEqual({ success: false });
  });

  it('forgets a key within comma-separated tags, leaving the untagged key alone', async () => {
    await t.cache.tags(['people', 'admins']).put('count', 3, 60);
    await t.cache.put('count', 7, 60);
    const res = await t.app.inject({ method: 'DELETE', url: '/_debugbar/cache/count/people,admins' });
    expect(res.json()).toEqual({ success: true });
    expect(await t.cache.tags(['people', 'admins']).get('count')).toBeUndefined();
    expect(await t.cache.get('count')).toBe(7);
  });

  it("accepts the debugbar's JSON list of tags", async () => {
    await t.cache.tags(['a', 'b']).put('k', 'v', 60);
    const res = await t.app.inject({ method: 'DELETE', url: `/_debugbar/cache/k/${encodeURIComponent('["a","b"]')}` });
    expect(res.json()).toEqual({ success: true });
  });

  it('answers the reference example (an unknown key) with success false', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/_debugbar/cache/1/1',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: false });
  });
});
