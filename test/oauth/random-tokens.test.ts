import { describe, expect, it } from 'vitest';
import { accessTokenId } from '../../src/oauth/random-tokens.js';

describe('access token ids', () => {
  it("are 80 hex digits, as Passport's, and never repeat", () => {
    const ids = Array.from({ length: 5000 }, () => accessTokenId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{80}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part alone never repeats either (ids of one millisecond differ there).
    expect(new Set(ids.map((id) => id.slice(12))).size).toBe(ids.length);
  });

  it('begin with their time, so later ids sort after earlier ones', () => {
    const earlier = accessTokenId(Date.UTC(2026, 0, 1));
    const later = accessTokenId(Date.UTC(2026, 0, 1) + 1);
    expect(earlier.slice(0, 12)).toBe(Date.UTC(2026, 0, 1).toString(16).padStart(12, '0'));
    expect(earlier < later).toBe(true);
  });
});
