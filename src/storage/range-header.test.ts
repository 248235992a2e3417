import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRangeHeader } from './range-header.js';

describe('Range header', () => {
  it.each([
    [undefined, 100, undefined],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=50-5000', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, undefined],
    ['items=0-1', 100, undefined],
    ['bytes=9-1', 100, undefined],
  ] as const)('%s of %d bytes → %j', (header, size, expected) => {
    expect(parseRangeHeader(header, size)).toEqual(expected);
  });

  it('any header gives the whole object, a 416, or a range inside the object (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.tuple(fc.nat(300), fc.nat(300)).map(([a, b]) => `bytes=${a}-${b}`), fc.nat(300).map((n) => `bytes=-${n}`)), fc.nat(200), (header, size) => {
        const r = parseRangeHeader(header, size);
        if (r === undefined || r === 'unsatisfiable') return;
        expect(r.start).toBeGreaterThanOrEqual(0);
        expect(r.end).toBeLessThan(size);
        expect(r.start).toBeLessThanOrEqual(r.end ?? -1);
      }),
    );
  });
});
