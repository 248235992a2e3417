import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtcpPacketConverter, RtcpSrPacket, RtcpSourceDescriptionPacket } from 'werift';
import { buildSenderReport, ntpTimestamp, roundTripMs } from './sender-report.js';

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

  it('a sender report and its CNAME read back through werift\'s RTCP parser (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 60 }), (ssrc, ts, packets, octets, cname) => {
        const parsed = RtcpPacketConverter.deSerialize(buildSenderReport({ ssrc, atUnixMs: 1_700_000_000_000, rtpTimestamp: ts, packets, octets, cname }));
        const sr = parsed[0] as RtcpSrPacket;
        expect(sr).toBeInstanceOf(RtcpSrPacket);
        expect([sr.ssrc, sr.senderInfo.rtpTimestamp, sr.senderInfo.packetCount, sr.senderInfo.octetCount]).toEqual([ssrc, ts, packets >>> 0, octets >>> 0]);
        expect(sr.senderInfo.ntpTimestamp).toBe(ntpTimestamp(1_700_000_000_000));
        const sdes = parsed[1] as RtcpSourceDescriptionPacket;
        expect(sdes).toBeInstanceOf(RtcpSourceDescriptionPacket);
        expect(sdes.chunks[0]?.items[0]?.text).toBe(Buffer.from(cname, 'utf8').subarray(0, 255).toString('utf8'));
      }),
    );
  });

  it('a receiver report answering our sender report tells the round trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2000 }), (sentAt, held, rtt) => {
        // what the receiver echoes: the middle 32 bits of our report's NTP time, and how long it held it
        const lsr = Number((ntpTimestamp(sentAt) >> 16n) & 0xffffffffn);
        const dlsr = Math.round((held / 1000) * 65536);
        const got = roundTripMs({ lastSenderReport: lsr, delaySinceLastSenderReport: dlsr }, sentAt + held + rtt);
        expect(Math.abs((got ?? -1000) - rtt)).toBeLessThan(0.1);
      }),
    );
    expect(roundTripMs({ lastSenderReport: 0, delaySinceLastSenderReport: 0 }, Date.now())).toBeUndefined();
    // a path so short that rounding puts the difference a unit below zero reads as 0, not as a wrap
    const lsr = Number((ntpTimestamp(1_600_000_000_000) >> 16n) & 0xffffffffn);
    expect(roundTripMs({ lastSenderReport: lsr, delaySinceLastSenderReport: Math.round(0.003 * 65536) }, 1_600_000_000_003)).toBeCloseTo(0, 1);
  });
});
