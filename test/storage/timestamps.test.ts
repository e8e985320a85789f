import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromDbTimestamp, toDbTimestamp } from '../../src/storage/timestamps.js';

describe('database timestamps', () => {
  it("write Laravel's UTC text for any time, whatever was written before (times of one second are made once)", () => {
    const reference = (date: Date): string => date.toISOString().slice(0, 19).replace('T', ' ');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }), { minLength: 1, maxLength: 50 }), (times) => {
        // Neighbouring seconds and seconds 61 apart share memo slots: both orders are exercised.
        for (const ms of times.flatMap((t) => [t, t + 999, t + 61_000, t - 1])) {
          const date = new Date(ms);
          expect(toDbTimestamp(date)).toBe(reference(date));
          expect(fromDbTimestamp(toDbTimestamp(date))?.getTime()).toBe(Math.floor(ms / 1000) * 1000);
        }
      }),
    );
    expect(() => toDbTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
