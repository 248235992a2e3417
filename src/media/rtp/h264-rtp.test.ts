import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { H264Depacketizer, type H264AccessUnit } from './h264-depacketizer.js';
import { packetizeH264 } from './h264-packetizer.js';

/** A NAL unit with a valid header (F = 0, any NRI, a type that may travel on its own: 1..23). */
const nalArb = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 23 }), fc.uint8Array({ minLength: 0, maxLength }))
    .map(([nri, type, body]) => Buffer.concat([Buffer.from([(nri << 5) | type]), Buffer.from(body)]));

function sendAll(payloads: Buffer[], timestamp: number, firstSequence: number, depacketizer = new H264Depacketizer()): H264AccessUnit[] {
  const units: H264AccessUnit[] = [];
  payloads.forEach((payload, i) => {
    units.push(...depacketizer.push({ sequenceNumber: (firstSequence + i) & 0xffff, timestamp, marker: i === payloads.length - 1, payload }));
  });
  return units;
}

describe('H.264 RTP packetizer and depacketizer (RFC 6184)', () => {
  it('any access unit survives packetize → depacketize at any payload size of 200 bytes or more', () => {
    fc.assert(
      fc.property(
        fc.array(nalArb(5000), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 200, max: 1500 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (nals, mtu, seq, ts) => {
          const payloads = packetizeH264(nals, mtu);
          for (const p of payloads) expect(p.length).toBeLessThanOrEqual(mtu);
          const units = sendAll(payloads, ts, seq);
          expect(units).toHaveLength(1);
          const unit = units[0] as H264AccessUnit;
          expect(unit.complete).toBe(true);
          expect(unit.timestamp).toBe(ts);
          expect(unit.nalUnits.map((n) => n.toString('hex'))).toEqual(nals.map((n) => n.toString('hex')));
          expect(unit.keyframe).toBe(nals.some((n) => ((n[0] as number) & 0x1f) === 5));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('small NAL units share one STAP-A packet; the F bit and highest NRI carry over', () => {
    const sps = Buffer.from([0x67, 0x42, 0x00, 0x1f]);
    const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
    const sei = Buffer.from([0x06, 0x05, 0x01]);
    const [stap, ...rest] = packetizeH264([sps, pps, sei], 1200);
    expect(rest).toEqual([]);
    expect(stap?.toString('hex')).toBe('78' + '0004' + '6742001f' + '0004' + '68ce3c80' + '0003' + '060501');
  });

  it('a NAL unit larger than the payload size becomes FU-A fragments with start and end bits', () => {
    const idr = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(2500, 0xab)]);
    const payloads = packetizeH264([idr], 1000);
    expect(payloads).toHaveLength(3);
    expect(payloads.map((p) => p.subarray(0, 2).toString('hex'))).toEqual(['7c85', '7c05', '7c45']);
    expect(payloads.reduce((n, p) => n + p.length - 2, 0)).toBe(idr.length - 1);
  });

  it('a NAL unit that fits alone travels as a single NAL unit packet, byte for byte', () => {
    const slice = Buffer.concat([Buffer.from([0x41]), Buffer.alloc(900, 7)]);
    const small = Buffer.from([0x09, 0xf0]);
    // together they would need 1 + 2 + 2 + 2 + 901 = 908 bytes
    const payloads = packetizeH264([small, slice], 905);
    expect(payloads).toHaveLength(2);
    expect(payloads[1]).toBe(slice);
  });

  it('a lost packet marks its access unit incomplete; the next one is whole again', () => {
    const idr = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(3000, 1)]);
    const payloads = packetizeH264([idr], 1200);
    const d = new H264Depacketizer();
    expect(d.push({ sequenceNumber: 10, timestamp: 1000, marker: false, payload: payloads[0] as Buffer })).toEqual([]);
    const lost = d.push({ sequenceNumber: 12, timestamp: 1000, marker: true, payload: payloads[2] as Buffer });
    expect(lost).toHaveLength(1);
    expect(lost[0]?.complete).toBe(false);
    const next = sendAll(packetizeH264([Buffer.from([0x41, 1, 2, 3])], 1200), 4000, 13, d);
    expect(next[0]?.complete).toBe(true);
  });

  it('an access unit without a marker ends when the timestamp changes', () => {
    const d = new H264Depacketizer();
    expect(d.push({ sequenceNumber: 1, timestamp: 100, marker: false, payload: Buffer.from([0x41, 1]) })).toEqual([]);
    const out = d.push({ sequenceNumber: 2, timestamp: 3100, marker: true, payload: Buffer.from([0x41, 2]) });
    expect(out.map((u) => u.timestamp)).toEqual([100, 3100]);
  });

  it('duplicate and late packets are ignored; sequence numbers wrap at 65535', () => {
    const d = new H264Depacketizer();
    const a = d.push({ sequenceNumber: 65535, timestamp: 1, marker: true, payload: Buffer.from([0x41, 1]) });
    expect(d.push({ sequenceNumber: 65535, timestamp: 1, marker: true, payload: Buffer.from([0x41, 1]) })).toEqual([]);
    const b = d.push({ sequenceNumber: 0, timestamp: 2, marker: true, payload: Buffer.from([0x41, 2]) });
    expect(a[0]?.complete && b[0]?.complete).toBe(true);
  });

  it('any bytes either depacketize or throw ParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 64 }), { maxLength: 8 }), (payloads) => {
        const d = new H264Depacketizer();
        payloads.forEach((p, i) => {
          try {
            d.push({ sequenceNumber: i, timestamp: 0, marker: i === payloads.length - 1, payload: Buffer.from(p) });
          } catch (err) {
            expect(err).toBeInstanceOf(ParseError);
          }
        });
      }),
    );
  });

  it('interleaved-mode payloads (STAP-B, MTAP, FU-B) are refused with ParseError', () => {
    for (const type of [25, 26, 27, 29]) {
      expect(() => new H264Depacketizer().push({ sequenceNumber: 0, timestamp: 0, marker: true, payload: Buffer.from([type, 0, 0, 0]) })).toThrow(ParseError);
    }
  });

  it('payload sizes below 3 bytes are refused', () => {
    expect(() => packetizeH264([Buffer.from([0x41, 1])], 2)).toThrow(RangeError);
  });
});
