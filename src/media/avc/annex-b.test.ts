import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { addEmulationPrevention } from '../bits/emulation-prevention.js';
import { joinAnnexB, splitAnnexB } from './annex-b.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

/** A NAL unit as an encoder writes it: a non-zero header byte, an escaped payload, a stop bit byte. */
const nalUnit = fc
  .tuple(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 255 }))
  .map(([head, payload, last]) => Buffer.concat([Buffer.from([head]), addEmulationPrevention(Buffer.from([...payload, last]))]));

describe('Annex B byte streams', () => {
  it('splits 3- and 4-byte start codes, dropping leading and trailing zero bytes', () => {
    const stream = hex('00 00 00 00 01 4601 50  00 00 01 4001 0c 00 00  00 00 00 01 2601 af 00 03 01');
    expect(splitAnnexB(stream)).toEqual([hex('460150'), hex('40010c'), hex('2601af000301')]);
  });

  it('joins with 4-byte start codes and splits back what it joined', () => {
    expect(joinAnnexB([hex('4001'), hex('42')])).toEqual(hex('00000001 4001 00000001 42'));
    fc.assert(fc.property(fc.array(nalUnit, { maxLength: 8 }), (units) => {
      expect(splitAnnexB(joinAnnexB(units))).toEqual(units);
    }));
  });

  it('returns views on the input, not copies', () => {
    const stream = hex('00000001 6588 00000001 419a');
    const [first] = splitAnnexB(stream);
    expect(first?.buffer).toBe(stream.buffer);
    expect(first?.byteOffset).toBe(stream.byteOffset + 4);
  });

  it('refuses bytes before the first start code and streams without one', () => {
    expect(splitAnnexB(Buffer.alloc(0))).toEqual([]);
    expect(splitAnnexB(hex('000000'))).toEqual([]);
    expect(() => splitAnnexB(hex('ff 000001 65'))).toThrow(ParseError);
    expect(() => splitAnnexB(hex('0000 02 65'))).toThrow(ParseError);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
      try {
        splitAnnexB(Buffer.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }));
  });
});
