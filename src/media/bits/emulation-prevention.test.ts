import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addEmulationPrevention, removeEmulationPrevention } from './emulation-prevention.js';

describe('emulation prevention', () => {
  it('drops each 0x03 that follows two zero bytes', () => {
    const nal = Buffer.from([0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0xff, 0, 0, 3]);
    expect([...removeEmulationPrevention(nal)]).toEqual([0x67, 0, 0, 1, 0, 0, 0, 0, 0xff, 0, 0]);
  });

  it('returns the input itself when nothing is escaped (no copy)', () => {
    const nal = Buffer.from([0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);
    expect(removeEmulationPrevention(nal)).toBe(nal);
  });

  it('does not count zeros before a dropped byte towards the next pattern', () => {
    // 00 00 03 | 00 03: the second 03 follows only one zero after the escape
    expect([...removeEmulationPrevention(Buffer.from([0, 0, 3, 0, 3]))]).toEqual([0, 0, 0, 3]);
  });

  it('removing undoes adding, for any RBSP', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).map((a) => a.map((b) => b % 5)), (rbsp) => {
        const escaped = addEmulationPrevention(Buffer.from(rbsp));
        expect(escaped.includes(Buffer.from([0, 0, 0]))).toBe(false);
        expect([...removeEmulationPrevention(escaped)]).toEqual([...rbsp]);
      }),
    );
  });
});
