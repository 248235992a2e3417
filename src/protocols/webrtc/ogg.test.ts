import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OggPacketReader } from './ogg-packet-reader.js';
import { OggOpusWriter } from './ogg-page-writer.js';

describe('Ogg Opus pages (RFC 3533 / RFC 7845)', () => {
  it('packets written one page each come back whole, however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 1500 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 700 }), (packets, chunkSize) => {
        const writer = new OggOpusWriter();
        const bytes = Buffer.concat([writer.headers(2), ...packets.map((p) => writer.packet(Buffer.from(p), 960))]);
        const reader = new OggPacketReader();
        const out: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunkSize) out.push(...reader.push(bytes.subarray(i, i + chunkSize)));
        expect(out).toHaveLength(packets.length + 2);
        expect(out[0]?.toString('latin1', 0, 8)).toBe('OpusHead');
        expect(out[1]?.toString('latin1', 0, 8)).toBe('OpusTags');
        expect(out.slice(2).map((b) => b.toString('hex'))).toEqual(packets.map((p) => Buffer.from(p).toString('hex')));
      }),
      { numRuns: 100 },
    );
  });

  it('page checksums are the RFC 3533 CRC-32 (polynomial 0x04c11db7, over the page with the field zeroed); granule counts samples', () => {
    const page = new OggOpusWriter().packet(Buffer.from([0xfc, 0xff, 0xfe]), 960);
    const crc = page.readUInt32LE(22);
    const zeroed = Buffer.from(page);
    zeroed.writeUInt32LE(0, 22);
    // recompute independently, bit by bit
    let r = 0;
    for (const b of zeroed) {
      r ^= b << 24;
      for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
      r >>>= 0;
    }
    expect(crc).toBe(r);
    expect(page.readBigUInt64LE(6)).toBe(960n);
  });

  it('bytes that lose page sync are refused with ParseError', () => {
    expect(() => new OggPacketReader().push(Buffer.alloc(40, 1))).toThrow(/sync/);
  });
});
