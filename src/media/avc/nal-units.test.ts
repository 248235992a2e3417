import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { avcNalType, isAvcKeyframe, joinNalUnits, splitNalUnits, type NalLengthSize } from './nal-units.js';

describe('length-prefixed NAL units', () => {
  it('splits into views and joins back, for every prefix size', () => {
    const units = fc.array(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { maxLength: 8 });
    fc.assert(fc.property(units, fc.constantFrom<NalLengthSize>(1, 2, 3, 4), (nals, size) => {
      const joined = joinNalUnits(nals, size);
      expect(splitNalUnits(joined, size)).toEqual(nals);
    }));
  });

  it('throws ParseError (not RangeError) on a length running past the end', () => {
    expect(() => splitNalUnits(Buffer.from([0, 0, 0, 9, 0x65, 1]))).toThrow(ParseError);
    expect(() => splitNalUnits(Buffer.from([0, 0, 1]))).toThrow(ParseError);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
      try {
        splitNalUnits(Buffer.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }));
  });

  it('tells an IDR access unit from a non-IDR one', () => {
    const sei = Buffer.from([0x06, 5, 1, 0x80]);
    const idr = Buffer.from([0x65, 0x88, 0x84]);
    const slice = Buffer.from([0x41, 0x9a, 0x02]);
    expect(avcNalType(idr)).toBe(5);
    expect(isAvcKeyframe(joinNalUnits([sei, idr]))).toBe(true);
    expect(isAvcKeyframe(joinNalUnits([sei, slice]))).toBe(false);
  });
});
