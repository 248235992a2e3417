import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';

describe('BitReader', () => {
  it('reads MSB-first fields across byte boundaries', () => {
    const r = new BitReader(Buffer.from([0b1010_1100, 0b0101_0011, 0xff, 0xff, 0xff, 0xff]));
    expect(r.u(3)).toBe(0b101);
    expect(r.u(7)).toBe(0b0110001);
    expect(r.flag()).toBe(false);
    expect(r.u(5)).toBe(0b10011);
    expect(r.u(32)).toBe(0xffffffff);
    expect(r.bitsLeft).toBe(0);
  });

  it('decodes the exp-Golomb examples of H.264 Table 9-2', () => {
    // 1 | 010 | 011 | 00100 | 00101 | 0001000 → codeNums 0,1,2,3,4,7
    const w = new BitWriter().u(1, 1).u(3, 2).u(3, 3).u(5, 4).u(5, 5).u(7, 8);
    const r = new BitReader(w.toBuffer());
    expect([r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue()]).toEqual([0, 1, 2, 3, 4, 7]);
  });

  it('maps se() codeNums to 0, 1, -1, 2, -2', () => {
    const w = new BitWriter();
    for (let k = 0; k < 5; k++) w.ue(k);
    const r = new BitReader(w.toBuffer());
    expect([r.se(), r.se(), r.se(), r.se(), r.se()]).toEqual([0, 1, -1, 2, -2]);
  });

  it('throws ParseError with the byte offset when reading past the end', () => {
    const r = new BitReader(Buffer.from([0xff, 0xff]), 100, 'test');
    r.u(12);
    const err = (() => {
      try {
        r.u(5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).offset).toBe(101);
  });

  it('refuses an exp-Golomb code of more than 32 leading zeros instead of looping', () => {
    const r = new BitReader(Buffer.alloc(8));
    expect(() => r.ue()).toThrow(ParseError);
  });

  it('skip and alignToByte stay in bounds', () => {
    const r = new BitReader(Buffer.from([0x0f, 0xf0]));
    r.skip(3);
    r.alignToByte();
    expect(r.bitPosition).toBe(8);
    expect(r.u(4)).toBe(0xf);
    expect(() => r.skip(5)).toThrow(ParseError);
  });

  it('reads back whatever BitWriter wrote (u, ue, se)', () => {
    type Field = { kind: 'u'; n: number; v: number } | { kind: 'ue'; v: number } | { kind: 'se'; v: number };
    const field: fc.Arbitrary<Field> = fc.oneof(
      fc.integer({ min: 0, max: 32 }).chain((n) =>
        fc.integer({ min: 0, max: 2 ** n - 1 }).map((v): Field => ({ kind: 'u', n, v })),
      ),
      fc.integer({ min: 0, max: 2 ** 32 - 2 }).map((v): Field => ({ kind: 'ue', v })),
      fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }).map((v): Field => ({ kind: 'se', v })),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), (fields) => {
        const w = new BitWriter();
        for (const f of fields) {
          if (f.kind === 'u') w.u(f.n, f.v);
          else if (f.kind === 'ue') w.ue(f.v);
          else w.se(f.v);
        }
        const r = new BitReader(w.toBuffer());
        for (const f of fields) {
          const got = f.kind === 'u' ? r.u(f.n) : f.kind === 'ue' ? r.ue() : r.se();
          expect(got).toBe(f.v);
        }
        expect(r.bitsLeft).toBeLessThan(8);
      }),
    );
  });

  it('on arbitrary bytes either returns numbers or throws ParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }), (bytes, ops) => {
        const r = new BitReader(Buffer.from(bytes));
        try {
          for (const op of ops) {
            if (op === 0) r.u(13);
            else if (op === 1) r.ue();
            else if (op === 2) r.se();
            else r.skip(7);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }),
    );
  });
});
