import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Amf0Reader,
  AmfEcmaArray,
  AmfEncodeError,
  AmfParseError,
  amfClassName,
  amfToPlain,
  decodeAmf0,
  encodeAmf0,
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
    decodeAmf0(buf);
  } catch (err) {
    if (!(err instanceof AmfParseError)) throw err;
    expect(err.code).toBe('RTMP_AMF_PARSE');
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(buf.length);
  }
}

// connect command ffmpeg 5.1 (Lavf59.27.100) sent when publishing to rtmp://127.0.0.1:19350/live/key,
// captured off the wire, chunk headers removed.
const FFMPEG_CONNECT = hex(`
  020007636f6e6e656374003ff00000000000000300036170700200046c697665
  00047479706502000a6e6f6e707269766174650008666c617368566572020024
  464d4c452f332e302028636f6d70617469626c653b204c61766635392e32372e
  313030290005746355726c02001b72746d703a2f2f3132372e302e302e313a31
  393335302f6c697665000009`);

// onMetaData script tag body ffmpeg 5.1 wrote for 320x240@25 H.264 + 44.1 kHz AAC to a pipe.
const FFMPEG_METADATA = hex(`
  02000a6f6e4d65746144617461080000000d00086475726174696f6e00000000
  000000000000057769647468004074000000000000000668656967687400406e
  000000000000000d766964656f64617461726174650000000000000000000009
  6672616d6572617465004039000000000000000c766964656f636f6465636964
  00401c000000000000000d617564696f6461746172617465004050d880000000
  00000f617564696f73616d706c65726174650040e5888000000000000f617564
  696f73616d706c6573697a65004030000000000000000673746572656f010000
  0c617564696f636f64656369640040240000000000000007656e636f64657202
  000d4c61766635392e32372e313030000866696c6573697a6500000000000000
  0000000009`);

const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', '', '0', 'é'));

const leaf: fc.Arbitrary<AmfValue> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(),
  fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
);

const { amf0Value } = fc.letrec<{ amf0Value: AmfValue }>((tie) => ({
  amf0Value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('amf0Value'), { maxLength: 5 }),
    fc.dictionary(key, tie('amf0Value'), { maxKeys: 5, noNullPrototype: true }),
    fc.dictionary(key, tie('amf0Value'), { maxKeys: 5, noNullPrototype: true }).map((e) => new AmfEcmaArray(e)),
  ),
}));

describe('AMF0 known bytes', () => {
  it.each<[string, AmfValue, string]>([
    ['number 1', 1, '00 3ff0000000000000'],
    ['number -0', -0, '00 8000000000000000'],
    ['true', true, '01 01'],
    ['false', false, '01 00'],
    ['string', 'hi', '02 0002 6869'],
    ['empty string', '', '02 0000'],
    ['null', null, '05'],
    ['undefined', undefined, '06'],
    ['date at the epoch', new Date(0), '0b 0000000000000000 0000'],
    ['object', { a: 1 }, '03 0001 61 00 3ff0000000000000 0000 09'],
    ['ECMA array', new AmfEcmaArray({ a: true }), '08 00000001 0001 61 01 01 0000 09'],
    ['strict array', [null, 'x'], '0a 00000002 05 02 0001 78'],
    ['typed object', withAmfClassName({ x: null }, 'Foo'), '10 0003 466f6f 0001 78 05 0000 09'],
    ['byte array, switched to AMF3', Buffer.from([1, 2, 3]), '11 0c 07 010203'],
  ])('%s', (_name, value, bytes) => {
    expect(encodeAmf0([value]).toString('hex')).toBe(hex(bytes).toString('hex'));
    expect(decodeAmf0(hex(bytes))).toStrictEqual([value]);
  });

  it('the connect command ffmpeg sends decodes to its fields and re-encodes byte for byte', () => {
    const expected: AmfValue[] = [
      'connect',
      1,
      {
        app: 'live',
        type: 'nonprivate',
        flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)',
        tcUrl: 'rtmp://127.0.0.1:19350/live',
      },
    ];
    expect(decodeAmf0(FFMPEG_CONNECT)).toStrictEqual(expected);
    expect(encodeAmf0(expected)).toEqual(FFMPEG_CONNECT);
  });

  it('the onMetaData ECMA array ffmpeg writes decodes to an AmfEcmaArray that amfToPlain unwraps', () => {
    const [name, meta] = decodeAmf0(FFMPEG_METADATA);
    expect(name).toBe('onMetaData');
    expect(meta).toBeInstanceOf(AmfEcmaArray);
    expect(amfToPlain(meta)).toStrictEqual({
      duration: 0,
      width: 320,
      height: 240,
      videodatarate: 0,
      framerate: 25,
      videocodecid: 7,
      audiodatarate: 67.3828125,
      audiosamplerate: 44100,
      audiosamplesize: 16,
      stereo: false,
      audiocodecid: 10,
      encoder: 'Lavf59.27.100',
      filesize: 0,
    });
    expect(encodeAmf0(['onMetaData', meta])).toEqual(FFMPEG_METADATA);
  });

  it('an ECMA array count is advisory: the object-end marker terminates it', () => {
    // Declares 0 entries but carries two, as some encoders do.
    const buf = hex('08 00000000 0001 61 05 0001 62 06 0000 09');
    expect(decodeAmf0(buf)).toStrictEqual([new AmfEcmaArray({ a: null, b: undefined })]);
  });

  it('a _result reply to connect round-trips and starts with the string marker', () => {
    const reply: AmfValue[] = [
      '_result',
      1,
      { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
      { level: 'status', code: 'NetConnection.Connect.Success', description: 'Connection succeeded.', objectEncoding: 0 },
    ];
    const bytes = encodeAmf0(reply);
    expect(bytes.subarray(0, 10).toString('hex')).toBe(hex('02 0007 5f726573756c74').toString('hex'));
    expect(decodeAmf0(bytes)).toStrictEqual(reply);
  });

  it('a reference resolves to the same object seen earlier in the decode', () => {
    // strict array (index 0) holding an object (index 1) and a reference to it
    const [list] = decodeAmf0(hex('0a 00000002 03 0000 09 07 0001')) as [AmfValue[]];
    expect(list[0]).toBe(list[1]);
  });

  it('a self-reference decodes to a cycle and a cycle encodes as a reference', () => {
    const [obj] = decodeAmf0(hex('03 0004 73656c66 07 0000 0000 09')) as [AmfObject];
    expect(obj['self']).toBe(obj);
    expect(encodeAmf0([obj]).toString('hex')).toBe('03000473656c66070000000009');
  });

  it('a repeated (non-cyclic) object is written in full each time', () => {
    const shared = { a: 1 };
    const [decoded] = decodeAmf0(encodeAmf0([[shared, shared]]));
    expect(decoded).toStrictEqual([shared, shared]);
    expect(encodeAmf0([[shared, shared]]).includes(0x07)).toBe(false);
  });

  it('a string over 65535 UTF-8 bytes is written as a long string', () => {
    const long = 'é'.repeat(40_000);
    const bytes = encodeAmf0([long]);
    expect(bytes[0]).toBe(0x0c);
    expect(bytes.readUInt32BE(1)).toBe(80_000);
    expect(decodeAmf0(bytes)).toStrictEqual([long]);
  });

  it('XML documents decode as strings, unsupported as undefined', () => {
    expect(decodeAmf0(hex('0f 00000003 3c613e 0d'))).toStrictEqual(['<a>', undefined]);
  });

  it('the AMF3 switch decodes one AMF3 value inline', () => {
    expect(decodeAmf0(hex('11 06 05 6869 00 3ff0000000000000'))).toStrictEqual(['hi', 1]);
  });

  it('a typed object keeps its class name out of its members', () => {
    const [obj] = decodeAmf0(hex('10 0003 466f6f 0001 78 05 0000 09')) as [AmfObject];
    expect(Object.keys(obj)).toEqual(['x']);
    expect(amfClassName(obj)).toBe('Foo');
  });

  it('an empty property name not followed by object-end is an ordinary member', () => {
    expect(decodeAmf0(hex('03 0000 05 0000 09'))).toStrictEqual([{ '': null }]);
    expect(encodeAmf0([{ '': null }]).toString('hex')).toBe('030000050000' + '09');
  });

  it('a __proto__ member stays an own property and does not change the prototype', () => {
    const [obj] = decodeAmf0(hex('03 0009 5f5f70726f746f5f5f 03 0001 78 05 0000 09 0000 09')) as [AmfObject];
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(decodeAmf0(encodeAmf0([obj]))).toStrictEqual([obj]);
  });

  it('Amf0Reader reads a command one value at a time', () => {
    const reader = new Amf0Reader(FFMPEG_CONNECT);
    expect(reader.readValue()).toBe('connect');
    expect(reader.offset).toBe(10);
    expect(reader.readValue()).toBe(1);
    expect(reader.remaining).toBe(FFMPEG_CONNECT.length - 19);
    expect(reader.readValue()).toMatchObject({ app: 'live' });
    expect(reader.remaining).toBe(0);
  });

  it('values AMF0 cannot carry are refused with AmfEncodeError', () => {
    expect(thrown(() => encodeAmf0([new Map() as unknown as AmfValue]))).toBeInstanceOf(AmfEncodeError);
    expect(thrown(() => encodeAmf0([(() => 1) as unknown as AmfValue]))).toBeInstanceOf(AmfEncodeError);
    expect(thrown(() => encodeAmf0([{ ['k'.repeat(70_000)]: 1 }]))).toBeInstanceOf(AmfEncodeError);
  });
});

describe('AMF0 malformed input', () => {
  it.each<[string, string]>([
    ['empty marker stream after a value', '00 3ff0'],
    ['unknown marker', '12'],
    ['reserved movieclip marker', '04'],
    ['reserved recordset marker', '0e'],
    ['object-end where a value belongs', '09'],
    ['reference out of range', '07 0000'],
    ['reference beyond the objects seen', '03 0001 61 07 0001 0000 09'],
    ['string longer than the buffer', '02 ffff 6162'],
    ['long string longer than the buffer', '0c ffffffff 6162'],
    ['object without object-end', '03 0001 61 05'],
    ['strict array declaring 2^32-1 elements', '0a ffffffff 05 05 05 05 05'],
    ['ECMA array declaring 2^32-1 entries', '08 ffffffff 0001 61 05'],
    ['date without time zone', '0b 0000000000000000 00'],
  ])('%s throws AmfParseError', (_name, bytes) => {
    const err = thrown(() => decodeAmf0(hex(bytes)));
    expect(err).toBeInstanceOf(AmfParseError);
  });

  it('a huge declared strict array length fails fast without allocating', () => {
    const started = performance.now();
    const err = thrown(() => decodeAmf0(hex('0a ffffffff 0000000000')));
    expect(err).toBeInstanceOf(AmfParseError);
    expect((err as AmfParseError).offset).toBe(5);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('100000 nested object markers throw AmfParseError, not RangeError', () => {
    const err = thrown(() => decodeAmf0(Buffer.alloc(100_000, 0x03)));
    expect(err).toBeInstanceOf(AmfParseError);
    expect((err as AmfParseError).message).toMatch(/nesting deeper than 64/);
  });

  it('100000 nested strict arrays throw AmfParseError', () => {
    const buf = Buffer.concat(Array.from({ length: 100_000 }, () => hex('0a 00000001')));
    expect(thrown(() => decodeAmf0(buf))).toBeInstanceOf(AmfParseError);
  });

  it('nesting through the AMF3 switch counts towards the same limit', () => {
    const buf = Buffer.concat([...Array.from({ length: 40 }, () => hex('0a 00000001')), ...Array.from({ length: 40 }, () => hex('11 09 03 01'))]);
    expect(thrown(() => decodeAmf0(buf))).toBeInstanceOf(AmfParseError);
  });

  it('maxDepth allows exactly that many nested containers', () => {
    const nested = (n: number): Buffer =>
      Buffer.concat([...Array.from({ length: n }, () => hex('0a 00000001')), hex('05')]);
    expect(() => decodeAmf0(nested(64))).not.toThrow();
    expect(thrown(() => decodeAmf0(nested(65)))).toBeInstanceOf(AmfParseError);
    expect(() => decodeAmf0(nested(3), { maxDepth: 3 })).not.toThrow();
    expect(thrown(() => decodeAmf0(nested(4), { maxDepth: 3 }))).toBeInstanceOf(AmfParseError);
  });

  it('an out-of-range maxDepth option is a programming error', () => {
    expect(() => decodeAmf0(hex('05'), { maxDepth: 5000 })).toThrow(RangeError);
  });

  it('any bytes either decode or throw AmfParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesOrParseError(Buffer.from(bytes))), {
      numRuns: 2000,
    });
  });

  it('bytes starting with a container marker either decode or throw AmfParseError', () => {
    const marker = fc.constantFrom(0x03, 0x08, 0x0a, 0x10, 0x11);
    fc.assert(
      fc.property(marker, fc.uint8Array({ maxLength: 200 }), (m, bytes) => decodesOrParseError(Buffer.from([m, ...bytes]))),
      { numRuns: 2000 },
    );
  });

  it('every truncation of valid commands throws AmfParseError or decodes a prefix', () => {
    for (const fixture of [FFMPEG_CONNECT, FFMPEG_METADATA]) {
      for (let end = 0; end < fixture.length; end++) decodesOrParseError(fixture.subarray(0, end));
    }
  });

  it('valid encodings with bytes flipped either decode or throw AmfParseError', () => {
    fc.assert(
      fc.property(
        amf0Value,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (value, flips) => {
          const buf = Buffer.from(encodeAmf0([value]));
          for (const [at, byte] of flips) buf[at % buf.length] = byte;
          decodesOrParseError(buf);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('AMF0 round trips', () => {
  it('decode(encode(values)) equals the values', () => {
    fc.assert(
      fc.property(fc.array(amf0Value, { maxLength: 4 }), (values) => {
        expect(sameAmf(decodeAmf0(encodeAmf0(values)), values)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('regression: an ECMA array member named "constructor" holding an ECMA array survives', () => {
    const values: AmfValue[] = [[new AmfEcmaArray({ constructor: new AmfEcmaArray({}) })]];
    expect(sameAmf(decodeAmf0(encodeAmf0(values)), values)).toBe(true);
  });

  it('invalid dates, NaN, infinities and -0 survive', () => {
    const values: AmfValue[] = [new Date(NaN), NaN, Infinity, -Infinity, -0, Number.MIN_VALUE];
    expect(decodeAmf0(encodeAmf0(values))).toStrictEqual(values);
  });

  it('amfToPlain keeps shared and cyclic structure', () => {
    const inner = new AmfEcmaArray({ n: 1 });
    const outer: AmfObject = { a: inner, b: inner };
    outer['self'] = outer;
    const plain = amfToPlain(outer) as Record<string, unknown>;
    expect(plain['a']).toStrictEqual({ n: 1 });
    expect(plain['a']).toBe(plain['b']);
    expect(plain['self']).toBe(plain);
  });
});
