import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { readVp9Descriptor, Vp9Depacketizer } from './vp9-depacketizer.js';

describe('Vp9Depacketizer', () => {
  it('reads flexible-mode descriptors with picture ids and reference diffs, and a scalability structure', () => {
    // I P F B: 15-bit picture id, then two P_DIFF bytes (N set on the first)
    expect(readVp9Descriptor(Buffer.from([0xd8, 0x81, 0x23, 0x03, 0x02, 0xaa]))).toEqual({ length: 5, interPredicted: true, beginsFrame: true, endsFrame: false });
    // I B E V: 7-bit picture id, SS with one layer's size (Y) and no groups
    const ss = Buffer.from([0x8e, 0x05, 0x10, 0x02, 0x80, 0x01, 0x68, 0xbb]);
    expect(readVp9Descriptor(ss)).toEqual({ length: 7, interPredicted: false, beginsFrame: true, endsFrame: true });
  });

  it('joins a picture from its B packet to the marker; a keyframe is one not inter-predicted; a gap marks it incomplete', () => {
    const d = new Vp9Depacketizer();
    expect(d.push({ sequenceNumber: 1, timestamp: 90, marker: false, payload: Buffer.from([0x08, 1, 2]) })).toEqual([]);
    const key = d.push({ sequenceNumber: 2, timestamp: 90, marker: true, payload: Buffer.from([0x04, 3]) });
    expect(key).toEqual([{ timestamp: 90, data: Buffer.from([1, 2, 3]), keyframe: true, complete: true }]);
    d.push({ sequenceNumber: 3, timestamp: 3090, marker: false, payload: Buffer.from([0x48, 4]) });
    const inter = d.push({ sequenceNumber: 5, timestamp: 3090, marker: true, payload: Buffer.from([0x44, 5]) });
    expect(inter.map((f) => [f.keyframe, f.complete])).toEqual([[false, false]]);
  });

  it('never throws anything but ParseError on arbitrary payloads', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 40 }), marker: fc.boolean(), ts: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }), (packets) => {
        const d = new Vp9Depacketizer();
        packets.forEach((p, i) => {
          try {
            d.push({ sequenceNumber: i, timestamp: p.ts, marker: p.marker, payload: Buffer.from(p.payload) });
          } catch (err) {
            if (!(err instanceof ParseError)) throw err;
            d.reset();
          }
        });
      }),
    );
  });
});
