import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Amf3Reader,
  AmfEcmaArray,
  AmfEncodeError,
  AmfParseError,
  amfClassName,
  decodeAmf3,
  encodeAmf3,
  withAmfClassName,
} from './index.js';
import type { AmfObject, AmfValue } from './index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Calls `fn` and returns what it threw, failing the test if it threw nothing. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/**
 * Structural AMF equality: same kinds (array, AmfEcmaArray, object, Buffer, Date), numbers by
 * Object.is, same own keys. vitest's toStrictEqual misjudges objects with an own "constructor".
 */
function sameAmf(a: AmfValue, b: AmfValue): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameAmf(v, b[i]));
  }
  if (a instanceof AmfEcmaArray || b instanceof AmfEcmaArray) {
    return a instanceof AmfEcmaArray && b instanceof AmfEcmaArray && sameAmf(a.entries, b.entries);
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length || amfClassName(a) !== amfClassName(b)) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameAmf(a[k], b[k]));
}

/** Either decodes or throws AmfParseError; anything else fails the property. */
function decodesOrParseError(buf: Buffer): void {
  try {
    decodeAmf3(buf);
  } catch (err) {
    if (!(err instanceof AmfParseError)) throw err;
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(buf.length);
  }
}

/** AMF3 has one array type: an empty associative array comes back as an empty dense one. */
function amf3Shape(value: AmfValue): AmfValue {
  if (value instanceof AmfEcmaArray) {
    const keys = Object.keys(value.entries);
    if (keys.length === 0) return [];
    return new AmfEcmaArray(Object.fromEntries(keys.map((k) => [k, amf3Shape(value.entries[k])])));
  }
  if (Array.isArray(value)) return value.map(amf3Shape);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: AmfObject = {};
    for (const k of Object.keys(value)) {
      Object.defineProperty(out, k, { value: amf3Shape(value[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

// The empty name terminates dynamic members and associative parts, so AMF3 keys are non-empty.
const key = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', '0', 'é'));

const leaf: fc.Arbitrary<AmfValue> = fc.oneof(
  fc.double(),
  fc.integer({ min: -(2 ** 29), max: 2 ** 29 }),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('a', 'b', ''),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(),
  fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
);

const { amf3Value } = fc.letrec<{ amf3Value: AmfValue }>((tie) => ({
  amf3Value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('amf3Value'), { maxLength: 5 }),
    fc.dictionary(key, tie('amf3Value'), { maxKeys: 5, noNullPrototype: true }),
    fc.dictionary(key, tie('amf3Value'), { maxKeys: 5, noNullPrototype: true }).map((e) => new AmfEcmaArray(e)),
  ),
}));

describe('AMF3 known bytes', () => {
  it.each<[string, AmfValue, string]>([
    ['undefined', undefined, '00'],
    ['null', null, '01'],
    ['false', false, '02'],
    ['true', true, '03'],
    ['integer 0', 0, '04 00'],
    ['integer 127, one U29 byte', 127, '04 7f'],
    ['integer 128, two U29 bytes', 128, '04 8100'],
    ['integer 16383', 16383, '04 ff7f'],
    ['integer 16384, three U29 bytes', 16384, '04 818000'],
    ['integer 2^21, four U29 bytes', 2 ** 21, '04 80c08000'],
    ['integer 2^28-1, the largest', 2 ** 28 - 1, '04 bfffffff'],
    ['integer -1', -1, '04 ffffffff'],
    ['integer -2^28, the smallest', -(2 ** 28), '04 c0808000'],
    ['2^28 as a double', 2 ** 28, '05 41b0000000000000'],
    ['1.5 as a double', 1.5, '05 3ff8000000000000'],
    ['-0 as a double', -0, '05 8000000000000000'],
    ['string', 'ab', '06 05 6162'],
    ['empty string', '', '06 01'],
    ['date at the epoch', new Date(0), '08 01 0000000000000000'],
    ['dense array', [1, 2], '09 05 01 0401 0402'],
    ['anonymous object', { a: 1 }, '0a 0b 01 03 61 0401 01'],
    ['typed object', withAmfClassName({ x: null }, 'Foo'), '0a 0b 07 466f6f 03 78 01 01'],
    ['associative array', new AmfEcmaArray({ k: 'v' }), '09 01 03 6b 06 03 76 01'],
    ['byte array', Buffer.from([1, 2, 3]), '0c 07 010203'],
  ])('%s', (_name, value, bytes) => {
    expect(encodeAmf3([value]).toString('hex')).toBe(hex(bytes).toString('hex'));
    const [decoded] = decodeAmf3(hex(bytes));
    expect(sameAmf(decoded, value)).toBe(true);
  });

  it('a repeated string is sent by reference; the empty string never is', () => {
    const bytes = '06 05 6162 06 00 06 01 06 01';
    expect(encodeAmf3(['ab', 'ab', '', '']).toString('hex')).toBe(hex(bytes).toString('hex'));
    expect(decodeAmf3(hex(bytes))).toStrictEqual(['ab', 'ab', '', '']);
  });

  it('anonymous traits are sent once, then by reference, and member names by string reference', () => {
    const bytes = '0a 0b 01 03 61 0401 01 0a 01 00 0402 01';
    expect(encodeAmf3([{ a: 1 }, { a: 2 }]).toString('hex')).toBe(hex(bytes).toString('hex'));
    expect(decodeAmf3(hex(bytes))).toStrictEqual([{ a: 1 }, { a: 2 }]);
  });

  it('a repeated object is sent by reference and decodes to one shared object', () => {
    const shared = {};
    const bytes = '09 05 01 0a 0b 01 01 0a 02';
    expect(encodeAmf3([[shared, shared]]).toString('hex')).toBe(hex(bytes).toString('hex'));
    const [list] = decodeAmf3(hex(bytes)) as [AmfValue[]];
    expect(list[0]).toBe(list[1]);
  });

  it('a repeated date is sent by reference', () => {
    const d = new Date(0);
    expect(encodeAmf3([d, d]).toString('hex')).toBe(hex('08 01 0000000000000000 08 00').toString('hex'));
  });

  it('a self-reference decodes to a cycle and a cycle encodes as a reference', () => {
    const bytes = '0a 0b 01 09 73656c66 0a 00 01';
    const [obj] = decodeAmf3(hex(bytes)) as [AmfObject];
    expect(obj['self']).toBe(obj);
    expect(encodeAmf3([obj]).toString('hex')).toBe(hex(bytes).toString('hex'));
  });

  it('sealed members come from the traits, which a later object can reference', () => {
    const [a, b] = decodeAmf3(hex('0a 23 07 466f6f 03 78 03 79 0401 0402 0a 01 0403 0404')) as AmfObject[];
    expect(a).toStrictEqual({ x: 1, y: 2 });
    expect(b).toStrictEqual({ x: 3, y: 4 });
    expect(amfClassName(b as AmfObject)).toBe('Foo');
  });

  it('sealed and dynamic members of one object merge', () => {
    expect(decodeAmf3(hex('0a 1b 01 03 78 0401 03 7a 0405 01'))).toStrictEqual([{ x: 1, z: 5 }]);
  });

  it('an array with named members decodes to an AmfEcmaArray holding the dense part under indices', () => {
    expect(decodeAmf3(hex('09 03 03 6b 06 03 76 01 0407'))).toStrictEqual([new AmfEcmaArray({ k: 'v', '0': 7 })]);
  });

  it('XML and XMLDocument decode as strings and share the object table', () => {
    expect(decodeAmf3(hex('0b 07 3c613e 07 07 3c623e 0b 00 07 02'))).toStrictEqual(['<a>', '<b>', '<a>', '<b>']);
  });

  it('Amf3Reader keeps its reference tables across values', () => {
    const reader = new Amf3Reader(hex('06 05 6162 06 00'));
    expect(reader.readValue()).toBe('ab');
    expect(reader.offset).toBe(4);
    expect(reader.readValue()).toBe('ab');
    expect(reader.remaining).toBe(0);
  });

  it('values AMF3 cannot carry are refused with AmfEncodeError', () => {
    expect(thrown(() => encodeAmf3([{ '': 1 }]))).toBeInstanceOf(AmfEncodeError);
    expect(thrown(() => encodeAmf3([new AmfEcmaArray({ '': 1 })]))).toBeInstanceOf(AmfEncodeError);
    expect(thrown(() => encodeAmf3([new Set() as unknown as AmfValue]))).toBeInstanceOf(AmfEncodeError);
    expect(thrown(() => encodeAmf3([10n as unknown as AmfValue]))).toBeInstanceOf(AmfEncodeError);
  });

  it('a value nested deeper than the encoder limit is refused, not a stack overflow', () => {
    let deep: AmfValue = null;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(thrown(() => encodeAmf3([deep]))).toBeInstanceOf(AmfEncodeError);
  });
});

describe('AMF3 malformed input', () => {
  it.each<[string, string, RegExp]>([
    ['externalizable traits', '0a 07 07 466f6f', /externalizable.*Foo/],
    ['vector-int', '0d', /vector-int/],
    ['vector-object', '10', /vector-object/],
    ['dictionary', '11', /dictionary/],
    ['unknown marker', '12', /unknown AMF3 marker 0x12/],
    ['string reference out of range', '06 00', /string reference 0 out of range/],
    ['object reference out of range', '0a 00', /object reference 0 out of range/],
    ['traits reference out of range', '0a 01', /traits reference 0 out of range/],
    ['date reference out of range', '08 02', /date reference 1 out of range/],
    ['truncated U29', '04 ff', /needs 1 bytes/],
    ['truncated double', '05 3ff0', /needs 8 bytes/],
    ['string longer than the buffer', '06 ffffffff 6162', /needs 268435455 bytes/],
    ['byte array longer than the buffer', '0c ffffffff 00', /needs/],
    ['array declaring 2^28-1 dense elements', '09 ffffffff 01 01 01', /declares 268435455/],
    ['traits declaring 2^25 sealed members', '0a fffffffb 01 01', /declares/],
    ['dynamic members without the closing empty name', '0a 0b 01 03 61 01', /needs 1 bytes/],
  ])('%s throws AmfParseError', (_name, bytes, message) => {
    const err = thrown(() => decodeAmf3(hex(bytes)));
    expect(err).toBeInstanceOf(AmfParseError);
    expect((err as AmfParseError).message).toMatch(message);
  });

  it('a huge declared array length fails fast, before reading elements', () => {
    const started = performance.now();
    const err = thrown(() => decodeAmf3(hex('09 ffffffff 01 01 01 01')));
    expect(err).toBeInstanceOf(AmfParseError);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('100000 nested arrays throw AmfParseError, not RangeError', () => {
    const buf = Buffer.concat(Array.from({ length: 100_000 }, () => hex('09 03 01')));
    const err = thrown(() => decodeAmf3(buf));
    expect(err).toBeInstanceOf(AmfParseError);
    expect((err as AmfParseError).message).toMatch(/nesting deeper than 64/);
  });

  it('maxDepth allows exactly that many nested containers', () => {
    const nested = (n: number): Buffer => Buffer.concat([...Array.from({ length: n }, () => hex('09 03 01')), hex('01')]);
    expect(() => decodeAmf3(nested(64))).not.toThrow();
    expect(thrown(() => decodeAmf3(nested(65)))).toBeInstanceOf(AmfParseError);
    expect(thrown(() => decodeAmf3(nested(2), { maxDepth: 1 }))).toBeInstanceOf(AmfParseError);
  });

  it('any bytes either decode or throw AmfParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesOrParseError(Buffer.from(bytes))), {
      numRuns: 2000,
    });
  });

  it('bytes built from AMF3 markers and small U29s either decode or throw AmfParseError', () => {
    // Biased towards structure so decoding gets past the first byte.
    const token = fc.oneof(fc.integer({ min: 0, max: 0x0c }), fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(fc.array(token, { maxLength: 200 }), (bytes) => decodesOrParseError(Buffer.from(bytes))), {
      numRuns: 2000,
    });
  });

  it('every truncation of a valid encoding throws AmfParseError or decodes a prefix', () => {
    fc.assert(
      fc.property(amf3Value, (value) => {
        const buf = encodeAmf3([value, value]);
        for (let end = 0; end < buf.length; end++) decodesOrParseError(buf.subarray(0, end));
      }),
      { numRuns: 200 },
    );
  });

  it('valid encodings with bytes flipped either decode or throw AmfParseError', () => {
    fc.assert(
      fc.property(
        amf3Value,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (value, flips) => {
          const buf = Buffer.from(encodeAmf3([value, value]));
          for (const [at, byte] of flips) buf[at % buf.length] = byte;
          decodesOrParseError(buf);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('AMF3 round trips', () => {
  it('decode(encode(values)) equals the values', () => {
    fc.assert(
      fc.property(fc.array(amf3Value, { maxLength: 4 }), (values) => {
        expect(sameAmf(decodeAmf3(encodeAmf3(values)), values.map(amf3Shape))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('integers in 29 bits travel as integers, everything else as doubles', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double()), (n) => {
        const bytes = encodeAmf3([n]);
        const isInt = Number.isInteger(n) && n >= -(2 ** 28) && n < 2 ** 28 && !Object.is(n, -0);
        expect(bytes[0]).toBe(isInt ? 0x04 : 0x05);
        expect(Object.is(decodeAmf3(bytes)[0], n)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('an empty associative array comes back as an empty dense array', () => {
    expect(decodeAmf3(encodeAmf3([new AmfEcmaArray({})]))).toStrictEqual([[]]);
  });

  it('shared structure survives', () => {
    const shared: AmfObject = { n: 1 };
    const date = new Date(5);
    const [out] = decodeAmf3(encodeAmf3([{ a: shared, b: shared, d: [date, date] }])) as [Record<string, AmfValue[]>];
    expect(out['a']).toBe(out['b']);
    const [d1, d2] = out['d'] as AmfValue[];
    expect(d1).toBe(d2);
  });
});
