import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { Vp8Depacketizer } from './vp8-depacketizer.js';

/** A VP8 RTP payload: descriptor (with a 15-bit picture id when `pictureId`), then `body`. */
function payload(start: boolean, body: Buffer, pictureId?: number): Buffer {
  const descriptor = pictureId === undefined ? [start ? 0x10 : 0x00] : [(start ? 0x10 : 0) | 0x80, 0x80, 0x80 | (pictureId >> 8), pictureId & 0xff];
  return Buffer.concat([Buffer.from(descriptor), body]);
}

describe('Vp8Depacketizer', () => {
  it('joins the packets of a frame from the start bit to the marker, with or without extensions', () => {
    const key = Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00]);
    for (const pictureId of [undefined, 300]) {
      const d = new Vp8Depacketizer();
      expect(d.push({ sequenceNumber: 1, timestamp: 90, marker: false, payload: payload(true, key.subarray(0, 4), pictureId) })).toEqual([]);
      const out = d.push({ sequenceNumber: 2, timestamp: 90, marker: true, payload: payload(false, key.subarray(4), pictureId) });
      expect(out).toEqual([{ timestamp: 90, data: key, keyframe: true, complete: true }]);
      const inter = d.push({ sequenceNumber: 3, timestamp: 3090, marker: true, payload: payload(true, Buffer.from([0x31, 0, 0]), pictureId) });
      expect(inter.map((f) => [f.keyframe, f.complete])).toEqual([[false, true]]);
    }
  });

  it('marks a frame with a lost packet incomplete, and drops pieces before the first start', () => {
    const d = new Vp8Depacketizer();
    expect(d.push({ sequenceNumber: 9, timestamp: 1, marker: true, payload: payload(false, Buffer.from([1, 2])) })).toEqual([]);
    d.push({ sequenceNumber: 10, timestamp: 2, marker: false, payload: payload(true, Buffer.from([0x31, 1])) });
    const out = d.push({ sequenceNumber: 12, timestamp: 2, marker: true, payload: payload(false, Buffer.from([2])) });
    expect(out[0]?.complete).toBe(false);
  });

  it('never throws anything but ParseError on arbitrary payloads', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ payload: fc.uint8Array({ maxLength: 40 }), marker: fc.boolean(), ts: fc.integer({ min: 0, max: 3 }) }), { maxLength: 30 }), (packets) => {
        const d = new Vp8Depacketizer();
        packets.forEach((p, i) => {
          try {
            for (const f of d.push({ sequenceNumber: i, timestamp: p.ts, marker: p.marker, payload: Buffer.from(p.payload) })) expect(f.data.length).toBeGreaterThan(0);
          } catch (err) {
            if (!(err instanceof ParseError)) throw err;
            d.reset();
          }
        });
      }),
    );
  });
});
