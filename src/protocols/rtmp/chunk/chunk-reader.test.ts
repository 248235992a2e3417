import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../base/index.js';
import type { RtmpMessage } from '../message-types.js';
import { ChunkReader } from './chunk-reader.js';
import { encodeChunks } from './chunk-writer.js';

interface Msg {
  csid: number;
  typeId: number;
  timestamp: number;
  streamId: number;
  payload: Buffer;
}

/**
 * A reference encoder that compresses headers the way encoders do: type 1 when only the stream id
 * repeats, type 2 when length and type repeat, type 3 when the delta repeats too, with extended
 * timestamps on every chunk of a message that needs them.
 */
function encodeCompressed(messages: Msg[], chunkSize: number, repeatExtendedInType3 = true): Buffer {
  const parts: Buffer[] = [];
  const prev = new Map<number, { ts: number; delta: number; len: number; type: number; sid: number; field: number }>();
  for (const m of messages) {
    const p = prev.get(m.csid);
    let fmt = 0;
    let field = m.timestamp;
    if (p !== undefined && p.sid === m.streamId && m.timestamp >= p.ts) {
      const delta = m.timestamp - p.ts;
      field = delta;
      fmt = p.len === m.payload.length && p.type === m.typeId ? (delta === p.field ? 3 : 2) : 1;
    }
    const extended = field >= 0xffffff;
    const basic = (f: number): Buffer => {
      if (m.csid < 64) return Buffer.from([(f << 6) | m.csid]);
      if (m.csid < 320) return Buffer.from([f << 6, m.csid - 64]);
      return Buffer.from([(f << 6) | 1, (m.csid - 64) & 0xff, (m.csid - 64) >> 8]);
    };
    const ext = Buffer.alloc(4);
    ext.writeUInt32BE(field >>> 0);
    const h = Buffer.alloc(11);
    h.writeUIntBE(extended ? 0xffffff : field, 0, 3);
    h.writeUIntBE(m.payload.length, 3, 3);
    h[6] = m.typeId;
    h.writeUInt32LE(m.streamId, 7);
    const headerBody = fmt === 0 ? h : fmt === 1 ? h.subarray(0, 7) : fmt === 2 ? h.subarray(0, 3) : Buffer.alloc(0);
    parts.push(basic(fmt), headerBody);
    if (extended && (fmt < 3 || repeatExtendedInType3)) parts.push(ext);
    let off = 0;
    do {
      if (off > 0) {
        parts.push(basic(3));
        if (extended && repeatExtendedInType3) parts.push(ext);
      }
      const n = Math.min(chunkSize, m.payload.length - off);
      parts.push(m.payload.subarray(off, off + n));
      off += n;
    } while (off < m.payload.length);
    prev.set(m.csid, { ts: m.timestamp, delta: field, len: m.payload.length, type: m.typeId, sid: m.streamId, field });
  }
  return Buffer.concat(parts);
}

function collect(chunks: Buffer[]): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const reader = new ChunkReader((m) => out.push(m));
  for (const c of chunks) reader.push(c);
  return out;
}

const msgArb = fc.record({
  csid: fc.oneof(fc.integer({ min: 3, max: 10 }), fc.integer({ min: 64, max: 400 })),
  typeId: fc.constantFrom(8, 9, 18, 20),
  timestamp: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0xfffff0, max: 0x1000100 })),
  streamId: fc.constantFrom(0, 1),
  payload: fc.uint8Array({ minLength: 0, maxLength: 700 }).map((a) => Buffer.from(a)),
});

/** Makes timestamps non-decreasing per chunk stream, as encoders send them. */
function ordered(messages: Msg[]): Msg[] {
  const last = new Map<number, number>();
  return messages.map((m) => {
    const ts = Math.max(m.timestamp, last.get(m.csid) ?? 0);
    last.set(m.csid, ts);
    return { ...m, timestamp: ts };
  });
}

function same(got: RtmpMessage[], want: Msg[]): void {
  expect(got.map((m) => [m.chunkStreamId, m.typeId, m.timestamp, m.streamId, m.payload.toString('hex')])).toEqual(
    want.map((m) => [m.csid, m.typeId, m.timestamp, m.streamId, m.payload.toString('hex')]),
  );
}

describe('ChunkReader', () => {
  it('reassembles type 0 chunks written by encodeChunks', () => {
    const payload = Buffer.alloc(1000, 7);
    const bytes = encodeChunks(6, 9, 1234, 1, payload, 128);
    const got = collect([bytes]);
    same(got, [{ csid: 6, typeId: 9, timestamp: 1234, streamId: 1, payload }]);
  });

  it('parses every header type split at every byte boundary', () => {
    const messages = ordered([
      { csid: 4, typeId: 8, timestamp: 0, streamId: 1, payload: Buffer.alloc(300, 1) },
      { csid: 4, typeId: 8, timestamp: 23, streamId: 1, payload: Buffer.alloc(300, 2) },
      { csid: 4, typeId: 8, timestamp: 46, streamId: 1, payload: Buffer.alloc(300, 3) },
      { csid: 4, typeId: 8, timestamp: 69, streamId: 1, payload: Buffer.alloc(301, 4) },
      { csid: 70, typeId: 9, timestamp: 0x1000000, streamId: 1, payload: Buffer.alloc(260, 5) },
      { csid: 330, typeId: 9, timestamp: 5, streamId: 1, payload: Buffer.alloc(0) },
    ]);
    const bytes = encodeCompressed(messages, 128);
    for (let cut = 0; cut <= bytes.length; cut++) {
      same(collect([bytes.subarray(0, cut), bytes.subarray(cut)]), messages);
    }
    same(collect([...bytes].map((b) => Buffer.from([b]))), messages);
  });

  it('round-trips random message sequences with random splits (property)', () => {
    fc.assert(
      fc.property(fc.array(msgArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (raw, cuts, repeatExt) => {
        const messages = ordered(raw);
        const bytes = encodeCompressed(messages, 128, repeatExt);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const pieces: Buffer[] = [];
        let start = 0;
        for (const p of points) {
          pieces.push(bytes.subarray(start, p));
          start = p;
        }
        pieces.push(bytes.subarray(start));
        same(collect(pieces), messages);
      }),
      { numRuns: 300 },
    );
  });

  it('applies Set Chunk Size before parsing the next chunk in the same buffer', () => {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(4096);
    const big = Buffer.alloc(4000, 9);
    const bytes = Buffer.concat([encodeChunks(2, 1, 0, 0, size, 128), encodeChunks(6, 9, 40, 1, big, 4096)]);
    const got = collect([bytes]);
    expect(got).toHaveLength(2);
    expect(got[1]?.payload.equals(big)).toBe(true);
  });

  it('drops a partial message on Abort', () => {
    const partial = encodeChunks(6, 9, 0, 1, Buffer.alloc(300, 1), 128).subarray(0, 1 + 11 + 128);
    const abort = Buffer.alloc(4);
    abort.writeUInt32BE(6);
    const next = encodeChunks(6, 9, 10, 1, Buffer.alloc(10, 2), 128);
    const got = collect([Buffer.concat([partial, encodeChunks(2, 2, 0, 0, abort, 128), next])]);
    expect(got.map((m) => m.typeId)).toEqual([2, 9]);
    expect(got[1]?.payload.equals(Buffer.alloc(10, 2))).toBe(true);
  });

  it('refuses a declared 16 MiB message without allocating it', () => {
    const header = Buffer.from([0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]);
    expect(() => collect([header])).toThrow(/exceeds/);
  });

  it('refuses chunk size 0 and above 16 MiB', () => {
    for (const v of [0, 16 * 1024 * 1024 + 1]) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(v);
      expect(() => collect([encodeChunks(2, 1, 0, 0, b, 128)])).toThrow(ParseError);
    }
  });

  it('refuses a type 1 header on a chunk stream never opened', () => {
    expect(() => collect([Buffer.from([0x46, 0, 0, 0, 0, 0, 1, 9])])).toThrow(/no type 0 header/);
  });

  it('bounds the bytes in flight across chunk streams', () => {
    const parts: Buffer[] = [];
    for (let csid = 3; csid < 10; csid++) {
      parts.push(Buffer.from([csid, 0, 0, 0, 0x7f, 0xff, 0xff, 9, 1, 0, 0, 0]));
      parts.push(Buffer.alloc(128));
    }
    expect(() => collect([Buffer.concat(parts)])).toThrow(/in flight/);
  });

  it('random bytes either parse or throw ParseError, and never hang (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        try {
          collect([Buffer.from(bytes)]);
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid streams either parse or throw ParseError (property)', () => {
    const base = encodeCompressed(
      ordered([
        { csid: 4, typeId: 8, timestamp: 0, streamId: 1, payload: Buffer.alloc(200, 1) },
        { csid: 6, typeId: 9, timestamp: 0, streamId: 1, payload: Buffer.alloc(500, 2) },
        { csid: 4, typeId: 8, timestamp: 23, streamId: 1, payload: Buffer.alloc(200, 3) },
      ]),
      128,
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(), (flips, cut) => {
        const b = Buffer.from(base);
        for (const [i, v] of flips) b[i % b.length] = v;
        try {
          collect([b.subarray(0, cut % (b.length + 1)), b.subarray(cut % (b.length + 1))]);
        } catch (err) {
          expect(err).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
