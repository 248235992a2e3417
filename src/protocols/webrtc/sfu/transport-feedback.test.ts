import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTransportFeedback, readTransportFeedback } from './transport-feedback.js';

/** Arrival times (µs, -1 lost) as a receiver would see them: growing, with gaps and reordering up to 8 s. */
const arrivals = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000_000 }), fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: -8_000_000, max: 8_000_000 })), { minLength: 1, maxLength: 300 }))
  .map(([start, steps]) => {
    let t = start;
    return steps.map((s) => {
      if (s === -1) return -1;
      t = Math.max(0, t + s);
      return Math.round(t / 250) * 250;
    });
  });

describe('transport-wide CC feedback', () => {
  it('reads back what was built: base, count, which packets arrived and when (property)', () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 255 }), (arrivalsUs, baseSequence, feedbackCount) => {
        const packet = buildTransportFeedback(1, 2, { baseSequence, feedbackCount, arrivalsUs });
        const read = readTransportFeedback(packet, 0, packet.length);
        expect(read?.baseSequence).toBe(baseSequence);
        expect(read?.feedbackCount).toBe(feedbackCount);
        expect(read?.arrivalsUs.map((t) => t < 0)).toEqual(arrivalsUs.map((t) => t < 0));
        // a delta beyond ±8.19 s is clamped by the format; within it, times are exact to the 250 µs unit
        const first = arrivalsUs.find((t) => t >= 0);
        if (first !== undefined && arrivalsUs.every((t, i) => t < 0 || i === 0 || Math.abs(t - (arrivalsUs.slice(0, i).findLast((x) => x >= 0) ?? t)) < 8_000_000)) {
          expect(read?.arrivalsUs).toEqual(arrivalsUs);
        }
      }),
    );
  });

  it('reads run-length and one-bit status chunks', () => {
    // base 100, 20 packets: a run of 10 received (small deltas), then a 1-bit vector: 10 more, every other lost
    const head = Buffer.alloc(20);
    head[0] = 0x8f;
    head[1] = 205;
    head.writeUInt16BE(100, 12);
    head.writeUInt16BE(20, 14);
    head.writeIntBE(2, 16, 3); // reference 128 ms
    head[19] = 7;
    const run = Buffer.alloc(2);
    run.writeUInt16BE((1 << 13) | 10);
    const vector = Buffer.alloc(2);
    vector.writeUInt16BE(0x8000 | 0b10101010101010);
    const deltas = Buffer.alloc(15, 4); // 10 + 5 received, 1 ms apart
    const body = Buffer.concat([head, run, vector, deltas]);
    const packet = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    packet.writeUInt16BE(packet.length / 4 - 1, 2);
    const fb = readTransportFeedback(packet, 0, packet.length);
    expect(fb?.feedbackCount).toBe(7);
    expect(fb?.arrivalsUs.slice(0, 3)).toEqual([129_000, 130_000, 131_000]);
    expect(fb?.arrivalsUs.slice(10, 14)).toEqual([139_000, -1, 140_000, -1]);
    expect(fb?.arrivalsUs.filter((t) => t >= 0)).toHaveLength(15);
  });

  it('refuses feedback whose chunks or deltas run past the packet, and never throws on arbitrary bytes', () => {
    const packet = buildTransportFeedback(1, 2, { baseSequence: 5, feedbackCount: 0, arrivalsUs: [1000, 2000, 3000, -1, 9000] });
    packet.writeUInt16BE(0xffff, 14); // claims 65535 packets: more than its chunks can describe
    expect(readTransportFeedback(packet, 0, packet.length)).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b = Buffer.from(bytes);
        readTransportFeedback(b, 0, b.length);
      }),
    );
  });
});
