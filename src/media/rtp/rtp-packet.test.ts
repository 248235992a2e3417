import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { buildOpusHead, opusPacketSamples } from './opus.js';
import { parseRtpPacket, serializeRtpPacket, type RtpHeaderFields } from './rtp-packet.js';
import { sequenceDelta, SequenceUnwrapper } from './sequence.js';

const headerArb: fc.Arbitrary<RtpHeaderFields> = fc.record({
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 15 }),
  extension: fc.record({ profile: fc.integer({ min: 0, max: 0xffff }), data: fc.integer({ min: 0, max: 8 }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 }).map((a) => Buffer.from(a))) }),
}, { requiredKeys: ['marker', 'payloadType', 'sequenceNumber', 'timestamp', 'ssrc'] });

describe('RTP packets (RFC 3550)', () => {
  it('parse(serialize(header, payload)) gives back the header and payload', () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 300 }), (header, payload) => {
        const parsed = parseRtpPacket(serializeRtpPacket(header, Buffer.from(payload)));
        expect(parsed.payload.equals(Buffer.from(payload))).toBe(true);
        expect(parsed.marker).toBe(header.marker);
        expect(parsed.payloadType).toBe(header.payloadType);
        expect(parsed.sequenceNumber).toBe(header.sequenceNumber);
        expect(parsed.timestamp).toBe(header.timestamp);
        expect(parsed.ssrc).toBe(header.ssrc);
        expect(parsed.csrcs ?? []).toEqual(header.csrcs ?? []);
        expect(parsed.extension?.profile).toBe(header.extension?.profile);
        expect(parsed.extension?.data.equals(header.extension?.data ?? Buffer.alloc(0)) ?? header.extension === undefined).toBe(true);
      }),
    );
  });

  it('any bytes either parse or throw ParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const p = parseRtpPacket(Buffer.from(bytes));
          expect(p.payload.length).toBeGreaterThanOrEqual(0);
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }),
    );
  });

  it('padding is removed from the payload', () => {
    const packet = Buffer.from('a06000010000000a0000000b' + 'cafe' + '000003', 'hex');
    const parsed = parseRtpPacket(packet);
    expect(parsed.payload.toString('hex')).toBe('cafe');
    expect(parsed.paddingLength).toBe(3);
    expect(parsed.payloadType).toBe(96);
  });

  it('a packet that is not version 2 is refused', () => {
    expect(() => parseRtpPacket(Buffer.alloc(12))).toThrow(/version 0/);
  });

  it('sequence numbers compare across the 16-bit wrap and unwrap to a monotonic counter', () => {
    expect(sequenceDelta(65535, 0)).toBe(1);
    expect(sequenceDelta(0, 65535)).toBe(-1);
    const u = new SequenceUnwrapper();
    expect([65534, 65535, 0, 1, 65535, 2].map((s) => u.unwrap(s))).toEqual([65534, 65535, 65536, 65537, 65535, 65538]);
  });
});

describe('Opus over RTP', () => {
  it('an OpusHead carries the channel count where the hub reads it', () => {
    const head = buildOpusHead(2);
    expect(head.toString('latin1', 0, 8)).toBe('OpusHead');
    expect(head[9]).toBe(2);
    expect(head.readUInt16LE(10)).toBe(312);
  });

  it('packet duration follows the TOC byte: 20 ms CELT, 2×10 ms, and code-3 frame counts', () => {
    expect(opusPacketSamples(Buffer.from([(31 << 3) | 0]))).toBe(960);
    expect(opusPacketSamples(Buffer.from([(30 << 3) | 1]))).toBe(960);
    expect(opusPacketSamples(Buffer.from([(1 << 3) | 3, 3]))).toBe(2880);
    expect(() => opusPacketSamples(Buffer.alloc(0))).toThrow(ParseError);
  });
});
