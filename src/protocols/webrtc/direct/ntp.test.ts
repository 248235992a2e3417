import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ntpTimestamp } from './direct-track-out.js';

describe('ntpTimestamp', () => {
  it('counts seconds from 1900 in the high word and a binary fraction in the low one', () => {
    expect(ntpTimestamp(0)).toBe(2_208_988_800n << 32n);
    expect(ntpTimestamp(1500)).toBe((2_208_988_801n << 32n) | 0x80000000n);
  });

  it('reads back to the millisecond it was made from (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000 }), (ms) => {
        const ntp = ntpTimestamp(ms);
        const back = Number(ntp >> 32n) * 1000 + (Number(ntp & 0xffffffffn) / 2 ** 32) * 1000 - 2_208_988_800_000;
        expect(Math.abs(back - ms)).toBeLessThan(0.001);
      }),
    );
  });
});
