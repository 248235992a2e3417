import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampGuard } from './timestamp-guard.js';

describe('TimestampGuard', () => {
  it('starts the timeline at zero and keeps steady timestamps unchanged in spacing', () => {
    const g = new TimestampGuard();
    expect([5000, 5033, 5066, 5040].map((t) => g.map(t))).toEqual([0, 33, 66, 40]);
  });

  it('turns an encoder restart into a small step forward and counts it', () => {
    const g = new TimestampGuard();
    g.map(100_000);
    g.map(100_033);
    expect(g.map(0)).toBe(66);
    expect(g.map(33)).toBe(99);
    expect(g.discontinuities).toBe(1);
  });

  it('never moves more than the jump limits from the highest timestamp seen (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 200 }), (ts) => {
        const g = new TimestampGuard();
        let high = 0;
        for (const t of ts) {
          const out = g.map(t);
          expect(out).toBeGreaterThanOrEqual(high - 1000);
          expect(out).toBeLessThanOrEqual(high + 10_000);
          high = Math.max(high, out);
        }
      }),
    );
  });
});
