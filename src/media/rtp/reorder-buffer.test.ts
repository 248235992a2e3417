import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpReorderBuffer } from './reorder-buffer.js';

describe('RTP reorder buffer', () => {
  it('any local shuffle of a run of packets (across the 16-bit wrap) comes out in order, none lost or doubled', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 200 }), (start, jitter) => {
        // packet i arrives at slot i + jitter[i]: a bounded reordering, no loss
        const order = jitter.map((j, i) => ({ i, at: i + j })).sort((a, b) => a.at - b.at || a.i - b.i);
        const buffer = new RtpReorderBuffer<{ sequenceNumber: number; i: number }>(1000);
        const out: number[] = [];
        for (const { i } of order) out.push(...buffer.push({ sequenceNumber: (start + i) & 0xffff, i }, 0).map((p) => p.i));
        const firstArrived = order[0]?.i as number;
        // packets older than the first one to arrive count as late
        expect(out).toEqual(jitter.map((_, i) => i).filter((i) => i >= firstArrived));
      }),
    );
  });

  it('a hole is waited for at most maxWaitMs, then skipped; the late packet is then dropped', () => {
    const b = new RtpReorderBuffer<{ sequenceNumber: number }>(100);
    expect(b.push({ sequenceNumber: 1 }, 0)).toHaveLength(1);
    expect(b.push({ sequenceNumber: 3 }, 10)).toEqual([]);
    expect(b.push({ sequenceNumber: 4 }, 50)).toEqual([]);
    expect(b.push({ sequenceNumber: 5 }, 120).map((p) => p.sequenceNumber)).toEqual([3, 4, 5]);
    expect(b.push({ sequenceNumber: 2 }, 130)).toEqual([]);
  });

  it('a resent packet fills its hole in time and everything flows in order', () => {
    const b = new RtpReorderBuffer<{ sequenceNumber: number }>(100);
    b.push({ sequenceNumber: 10 }, 0);
    expect(b.push({ sequenceNumber: 12 }, 1)).toEqual([]);
    expect(b.push({ sequenceNumber: 11 }, 40).map((p) => p.sequenceNumber)).toEqual([11, 12]);
  });
});
