import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRtcpFeedback } from './rtcp-feedback.js';

function rr(ssrc: number, fraction: number, lost: number, jitter: number): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81; // V=2, one report block
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(1, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = fraction;
  b.writeIntBE(lost, 13, 3);
  b.writeUInt32BE(jitter, 20);
  return b;
}

function pli(): Buffer {
  const b = Buffer.alloc(12);
  b[0] = 0x81; // FMT 1
  b[1] = 206;
  b.writeUInt16BE(2, 2);
  return b;
}

function remb(bps: number): Buffer {
  let exp = 0;
  while (bps / 2 ** exp > 0x3ffff) exp++;
  const mantissa = Math.floor(bps / 2 ** exp);
  const b = Buffer.alloc(24);
  b[0] = 0x8f; // FMT 15
  b[1] = 206;
  b.writeUInt16BE(5, 2);
  b.write('REMB', 12, 'latin1');
  b[16] = 1;
  b[17] = (exp << 2) | (mantissa >> 16);
  b.writeUInt16BE(mantissa & 0xffff, 18);
  return b;
}

/** A generic NACK about `ssrc` asking for every sequence number in `lost` (one FCI per 17-packet window). */
function nack(ssrc: number, lost: number[]): Buffer {
  const fcis: Buffer[] = [];
  const left = [...lost];
  while (left.length > 0) {
    const pid = left.shift() as number;
    let blp = 0;
    for (let i = left.length - 1; i >= 0; i--) {
      const d = ((left[i] as number) - pid - 1) & 0xffff;
      if (d < 16) {
        blp |= 1 << d;
        left.splice(i, 1);
      }
    }
    const f = Buffer.alloc(4);
    f.writeUInt16BE(pid, 0);
    f.writeUInt16BE(blp, 2);
    fcis.push(f);
  }
  const head = Buffer.alloc(12);
  head[0] = 0x81; // FMT 1
  head[1] = 205;
  head.writeUInt16BE(2 + fcis.length, 2);
  head.writeUInt32BE(1, 4);
  head.writeUInt32BE(ssrc, 8);
  return Buffer.concat([head, ...fcis]);
}

describe('readRtcpFeedback', () => {
  it('reads the packets a generic NACK asks for, only when it is about our SSRC (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 0xfffffff }), (lost, ssrc) => {
        const packet = Buffer.concat([rr(ssrc, 0, 0, 0), nack(ssrc, lost)]);
        expect([...(readRtcpFeedback(packet, ssrc).nacks ?? [])].sort((a, b) => a - b)).toEqual([...lost].sort((a, b) => a - b));
        expect(readRtcpFeedback(nack(ssrc, lost), ssrc + 1).nacks).toBeUndefined();
      }),
    );
  });


  it('reads the report block about our SSRC, keyframe requests and REMB from a compound packet', () => {
    const out = readRtcpFeedback(Buffer.concat([rr(42, 64, 7, 900), pli(), remb(1_500_000)]), 42);
    expect(out.keyframe).toBe(true);
    expect(out.report).toEqual({ fractionLost: 0.25, packetsLost: 7, jitter: 900, lastSenderReport: 0, delaySinceLastSenderReport: 0 });
    expect(out.rembBps).toBeGreaterThan(1_490_000);
    expect(out.rembBps).toBeLessThanOrEqual(1_500_000);
    expect(readRtcpFeedback(rr(43, 64, 7, 900), 42).report).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, ssrc) => {
      readRtcpFeedback(Buffer.from(bytes), ssrc);
    }));
  });
});
