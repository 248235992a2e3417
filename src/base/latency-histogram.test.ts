import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS, LatencyHistogram, latencyQuantile } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('puts each duration in the first bucket whose bound holds it, and reads quantiles as bucket bounds', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.05, 0.1, 0.15, 3, 3.5, 1e6]) h.record(ms);
    const s = h.snapshot();
    expect(s.count).toBe(6);
    expect(s.maxMs).toBe(1e6);
    expect(s.counts[0]).toBe(2);
    expect(s.counts[1]).toBe(1);
    expect(s.counts.at(-1)).toBe(1);
    expect(latencyQuantile(s, 0.5)).toBe(0.2);
    expect(latencyQuantile(s, 0.8)).toBe(4);
    expect(latencyQuantile(s, 1)).toBe(Infinity);
    expect(latencyQuantile(new LatencyHistogram().snapshot(), 0.5)).toBeUndefined();
  });

  it('two snapshots give the distribution of what was recorded between them (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2000, noNaN: true })), fc.array(fc.double({ min: 0, max: 2000, noNaN: true }), { minLength: 1 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (before, during, q) => {
        const h = new LatencyHistogram();
        for (const ms of before) h.record(ms);
        const from = h.snapshot();
        for (const ms of during) h.record(ms);
        const got = latencyQuantile(h.snapshot(), q, from) as number;
        const sorted = [...during].sort((a, b) => a - b);
        const exact = sorted[Math.ceil(q * sorted.length) - 1] as number;
        // The bucket bound is the smallest bound at or above the exact quantile.
        const bound = LATENCY_BUCKETS_MS.find((b) => exact <= b) ?? Infinity;
        expect(got).toBe(bound);
      }),
    );
  });
});
