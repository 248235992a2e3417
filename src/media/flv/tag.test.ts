import { describe, expect, it } from 'vitest';
import type { MediaFrame, MetadataFrame } from '../frame.js';
import { FlvTagType } from './constants.js';
import { buildFlvFileHeader, buildFlvTag, FLV_FILE_HEADER_AV, flvTagOf } from './tag.js';

describe('FLV tags', () => {
  it('writes the 11-byte header, the body and PreviousTagSize', () => {
    const tag = buildFlvTag(FlvTagType.Video, 0x12345678, Buffer.from([0xaa, 0xbb]));
    expect(tag).toEqual(Buffer.from('09 000002 345678 12 000000 aabb 0000000d'.replace(/\s/g, ''), 'hex'));
  });

  it('wraps timestamps beyond 32 bits modulo 2^32', () => {
    const tag = buildFlvTag(FlvTagType.Audio, 2 ** 32 + 5, Buffer.alloc(0));
    expect(tag.readUIntBE(4, 3)).toBe(5);
    expect(tag[7]).toBe(0);
    expect(buildFlvTag(FlvTagType.Audio, 2 ** 32 - 1, Buffer.alloc(0))[7]).toBe(0xff);
  });

  it('writes the file header with PreviousTagSize0', () => {
    expect(FLV_FILE_HEADER_AV).toEqual(Buffer.from('464c5601050000000900000000', 'hex'));
    expect(buildFlvFileHeader({ audio: false, video: true })[4]).toBe(0x01);
  });

  it('caches the tag of a frame, with DTS as the tag timestamp', () => {
    const frame: MediaFrame = { kind: 'audio', codec: 'aac', dts: 40, pts: 40, keyframe: false, config: false, data: Buffer.from([1]) };
    const tag = flvTagOf(frame);
    expect(flvTagOf(frame)).toBe(tag);
    expect(tag.readUIntBE(4, 3)).toBe(40);
    const meta: MetadataFrame = { kind: 'metadata', dts: 0, amf0: Buffer.from([2, 0, 1, 0x41]) };
    expect(flvTagOf(meta)[0]).toBe(18);
  });
});
