import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NACK_HISTORY, PayloadHistory } from './payload-history.js';

describe('PayloadHistory', () => {
  it('replays exactly the packets of the last window, as they were sent, across sequence wraps (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 2000 }), (first, count) => {
        const h = new PayloadHistory('video');
        for (let i = 0; i < count; i++) h.add((first + i) & 0xffff, Buffer.from([i & 0xff]), i * 3000, i % 5 === 4);
        for (const back of [0, 1, NACK_HISTORY.video - 1, NACK_HISTORY.video, count]) {
          const i = count - 1 - back;
          if (i < 0) continue;
          const got: [number, number, boolean][] = [];
          const held = h.replay((first + i) & 0xffff, (p, ts, m) => got.push([p[0] as number, ts, m]));
          expect(held).toBe(back < NACK_HISTORY.video);
          if (held) expect(got).toEqual([[i & 0xff, i * 3000, i % 5 === 4]]);
        }
      }),
    );
  });
});
