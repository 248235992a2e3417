import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.js';

describe('ring buffer', () => {
  it('behaves like an array that drops its oldest item beyond capacity', () => {
    const op = fc.oneof(fc.record({ push: fc.integer() }), fc.constant({ shift: true as const }), fc.constant({ clear: true as const }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
        const ring = new RingBuffer<number>(capacity);
        let model: number[] = [];
        for (const o of ops) {
          if ('push' in o) {
            model.push(o.push);
            const evicted = model.length > capacity ? model.shift() : undefined;
            expect(ring.push(o.push)).toBe(evicted);
          } else if ('shift' in o) {
            expect(ring.shift()).toBe(model.shift());
          } else {
            ring.clear();
            model = [];
          }
          expect(ring.size).toBe(model.length);
          expect(ring.toArray()).toEqual(model);
        }
      }),
    );
  });

  it('refuses a capacity below one', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
