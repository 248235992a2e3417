import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPesHeader, readPesTimestamp } from './pes.js';
import { TIMESTAMP_MODULO } from './ts-constants.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('PES header', () => {
  it('carries only a PTS when DTS equals it, with data_alignment and the exact packet length', () => {
    const header = buildPesHeader({ streamId: 0xe0, pts: 90_000, dts: 90_000, payloadLength: 100 });
    // start code, stream_id, length 3 + 5 + 100, '10' + alignment, PTS only, 5 header bytes, PTS '0010'
    expect(hex(header)).toBe('000001e0006c' + '848005' + '210005bf21');
  });

  it('carries PTS (prefix 0011) and DTS (prefix 0001) when they differ', () => {
    const header = buildPesHeader({ streamId: 0xe0, pts: 6006, dts: 3003, payloadLength: 0 });
    expect(hex(header)).toBe('000001e0000d' + '84c00a' + '3100012eed' + '1100011777');
    expect(readPesTimestamp(header, 9)).toBe(6006);
    expect(readPesTimestamp(header, 14)).toBe(3003);
  });

  it('writes PES_packet_length 0 when the packet outgrows 16 bits (video only)', () => {
    expect(buildPesHeader({ streamId: 0xe0, pts: 0, payloadLength: 70_000 }).readUInt16BE(4)).toBe(0);
    expect(buildPesHeader({ streamId: 0xc0, pts: 0, payloadLength: 65_527 }).readUInt16BE(4)).toBe(65_535);
  });

  it('wraps timestamps modulo 2^33: the last tick, then zero again', () => {
    expect(hex(buildPesHeader({ streamId: 0xc0, pts: TIMESTAMP_MODULO - 1, payloadLength: 0 }).subarray(9))).toBe('2fffffffff');
    expect(hex(buildPesHeader({ streamId: 0xc0, pts: TIMESTAMP_MODULO + 5, payloadLength: 0 }).subarray(9))).toBe('210001000b');
    // a frame 10 ms after the wrap point of the millisecond clock (2^33 / 90 ms, about 26.5 hours)
    const ms = Math.ceil(TIMESTAMP_MODULO / 90) + 10;
    const header = buildPesHeader({ streamId: 0xe0, pts: (ms + 40) * 90, dts: ms * 90, payloadLength: 0 });
    expect(readPesTimestamp(header, 14)).toBe(ms * 90 - TIMESTAMP_MODULO);
    expect(readPesTimestamp(header, 9)).toBe((ms + 40) * 90 - TIMESTAMP_MODULO);
  });

  it('a DTS that equals the PTS only after wrapping is left out', () => {
    expect(buildPesHeader({ streamId: 0xe0, pts: 5, dts: TIMESTAMP_MODULO + 5, payloadLength: 0 }).length).toBe(14);
  });

  it('round-trips every 33-bit timestamp, negative ones wrapping', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (ticks) => {
        const header = buildPesHeader({ streamId: 0xe0, pts: ticks, payloadLength: 0 });
        expect(readPesTimestamp(header, 9)).toBe(((ticks % TIMESTAMP_MODULO) + TIMESTAMP_MODULO) % TIMESTAMP_MODULO);
      }),
    );
  });
});
