import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import { FlvDemuxer } from './demuxer.js';
import { buildFlvTag, FLV_FILE_HEADER_AV } from './tag.js';

const tagArbitrary = fc.record({
  type: fc.constantFrom<8 | 9 | 18>(8, 9, 18),
  timestamp: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  body: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
});

describe('FlvDemuxer', () => {
  it('yields the same header and tags however the stream is split', () => {
    fc.assert(fc.property(fc.array(tagArbitrary, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 20 }), (tags, cuts) => {
      const stream = Buffer.concat([FLV_FILE_HEADER_AV, ...tags.map((t) => buildFlvTag(t.type, t.timestamp, t.body))]);
      const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const demuxer = new FlvDemuxer();
      const out = [];
      let last = 0;
      for (const point of [...points, stream.length]) {
        out.push(...demuxer.push(stream.subarray(last, point)));
        last = point;
      }
      demuxer.end();
      expect(demuxer.header).toEqual({ version: 1, audio: true, video: true });
      expect(out.map(({ type, timestamp, body }) => ({ type, timestamp, body }))).toEqual(tags);
    }));
  });

  it('yields tags fed one byte at a time', () => {
    const stream = Buffer.concat([FLV_FILE_HEADER_AV, buildFlvTag(9, 7, Buffer.from([1, 2, 3])), buildFlvTag(8, 9, Buffer.from([4]))]);
    const demuxer = new FlvDemuxer();
    const tags = [...stream].flatMap((byte) => demuxer.push(Buffer.from([byte])));
    expect(tags.map((t) => [t.type, t.timestamp, t.offset])).toEqual([[9, 7, 13], [8, 9, 31]]);
  });

  it('refuses a tag above the size limit before buffering it', () => {
    const header = Buffer.from('09ffffff00000000000000', 'hex');
    const demuxer = new FlvDemuxer({ maxTagSize: 1024 });
    expect(() => demuxer.push(Buffer.concat([FLV_FILE_HEADER_AV, header]))).toThrow(ParseError);
    expect(() => demuxer.push(Buffer.alloc(1))).toThrow(ParseError);
  });

  it('checks signature, PreviousTagSize and a clean end', () => {
    expect(() => new FlvDemuxer().push(Buffer.from('464c4101050000000900000000', 'hex'))).toThrow(/signature/);
    const bad = Buffer.concat([FLV_FILE_HEADER_AV, buildFlvTag(9, 0, Buffer.alloc(2))]);
    bad.writeUInt32BE(99, bad.length - 4);
    expect(() => new FlvDemuxer().push(bad)).toThrow(/PreviousTagSize/);
    const partial = new FlvDemuxer();
    partial.push(FLV_FILE_HEADER_AV.subarray(0, 10));
    expect(() => partial.end()).toThrow(ParseError);
  });

  it('on arbitrary bytes yields tags or throws ParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, withHeader) => {
      const demuxer = new FlvDemuxer({ checkPreviousTagSize: withHeader });
      try {
        demuxer.push(withHeader ? Buffer.concat([FLV_FILE_HEADER_AV, bytes]) : Buffer.from(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(ParseError);
      }
    }), { numRuns: 3000 });
  });
});
