import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../base/index.js';
import type { AudioCodec, MediaFrame, VideoCodec } from '../frame.js';
import { parseFlvAudioBody } from './audio-body.js';
import { buildFlvBody } from './build-body.js';
import { FlvUnsupportedCodecError } from './errors.js';
import { parseFlvVideoBody } from './video-body.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('parseFlvVideoBody', () => {
  it('reads a legacy AVC NALU with a composition time offset, without copying', () => {
    const body = hex('27 01 000028 00000002 0910');
    const frame = parseFlvVideoBody(body, 1000);
    expect(frame).toMatchObject({ kind: 'video', codec: 'h264', dts: 1000, pts: 1040, keyframe: false, config: false });
    expect(frame?.data.buffer).toBe(body.buffer);
    expect(frame?.data.byteOffset).toBe(body.byteOffset + 5);
    expect(frame?.flvBody).toBe(body);
  });

  it('reads negative composition times as signed 24-bit', () => {
    expect(parseFlvVideoBody(hex('17 01 ffffff 00000001 65'), 100)?.pts).toBe(99);
  });

  it('returns the sequence header as a config frame and end of sequence as null', () => {
    expect(parseFlvVideoBody(hex('17 00 000000 0164001f'), 0)).toMatchObject({ config: true, keyframe: false, codec: 'h264' });
    expect(parseFlvVideoBody(hex('17 02 000000'), 0)).toBeNull();
  });

  it('accepts the legacy HEVC codec id 12', () => {
    expect(parseFlvVideoBody(hex('1c 01 000000 00000001 26'), 0)).toMatchObject({ codec: 'h265', keyframe: true });
  });

  it('reads Enhanced RTMP packets: SequenceStart, CodedFrames with cts, CodedFramesX', () => {
    expect(parseFlvVideoBody(hex('90 68766331 01'), 0)).toMatchObject({ codec: 'h265', config: true });
    expect(parseFlvVideoBody(hex('91 68766331 000021 00000001 26'), 10)).toMatchObject({ pts: 43, keyframe: true });
    expect(parseFlvVideoBody(hex('a3 68766331 00000001 02'), 10)).toMatchObject({ pts: 10, keyframe: false });
    expect(parseFlvVideoBody(hex('91 61763031 12000a'), 5)).toMatchObject({ codec: 'av1', pts: 5 });
    expect(parseFlvVideoBody(hex('a1 76703039 82'), 5)).toMatchObject({ codec: 'vp9', data: hex('82') });
    expect(parseFlvVideoBody(hex('91 61766331 000005 00000001 65'), 0)).toMatchObject({ codec: 'h264', pts: 5 });
  });

  it('skips ModEx prefixes before the real packet type', () => {
    // ModEx with 3 bytes of TimestampOffsetNano, then type byte: modExType 0, packet type 3 (CodedFramesX)
    expect(parseFlvVideoBody(hex('97 02 0003e8 03 68766331 00000001 26'), 0)).toMatchObject({ codec: 'h265', keyframe: true });
  });

  it('ignores what carries no frame: command frames, metadata, sequence end, MPEG-2 TS start', () => {
    expect(parseFlvVideoBody(hex('57 00'), 0)).toBeNull();
    expect(parseFlvVideoBody(hex('d1 00'), 0)).toBeNull();
    expect(parseFlvVideoBody(hex('94 68766331 02000963'), 0)).toBeNull();
    expect(parseFlvVideoBody(hex('92 61763031'), 0)).toBeNull();
    expect(parseFlvVideoBody(hex('95 61763031 00'), 0)).toBeNull();
  });

  it('throws FlvUnsupportedCodecError for codecs we do not carry', () => {
    expect(() => parseFlvVideoBody(hex('22 0000'), 0)).toThrow(FlvUnsupportedCodecError);
    expect(() => parseFlvVideoBody(hex('91 76703038 00'), 0)).toThrow(/vp08/);
    expect(() => parseFlvVideoBody(hex('96 00 68766331 00'), 0)).toThrow(FlvUnsupportedCodecError);
  });

  it('throws ParseError for truncated bodies', () => {
    expect(() => parseFlvVideoBody(Buffer.alloc(0), 0)).toThrow(ParseError);
    expect(() => parseFlvVideoBody(hex('17 01 00'), 0)).toThrow(ParseError);
    expect(() => parseFlvVideoBody(hex('91 6876'), 0)).toThrow(ParseError);
    expect(() => parseFlvVideoBody(hex('91 68766331 0000'), 0)).toThrow(ParseError);
  });
});

describe('parseFlvAudioBody', () => {
  it('reads AAC config and raw frames', () => {
    expect(parseFlvAudioBody(hex('af 00 1210'), 0)).toMatchObject({ codec: 'aac', config: true, data: hex('1210') });
    expect(parseFlvAudioBody(hex('af 01 2100'), 23)).toMatchObject({ codec: 'aac', config: false, dts: 23, pts: 23 });
  });

  it('reads MP3 and Enhanced RTMP Opus/AAC/MP3', () => {
    expect(parseFlvAudioBody(hex('2f fffb9064'), 0)).toMatchObject({ codec: 'mp3', data: hex('fffb9064') });
    expect(parseFlvAudioBody(hex('90 4f707573 4f70757348656164'), 0)).toMatchObject({ codec: 'opus', config: true });
    expect(parseFlvAudioBody(hex('91 4f707573 fc'), 0)).toMatchObject({ codec: 'opus', config: false });
    expect(parseFlvAudioBody(hex('90 6d703461 1210'), 0)).toMatchObject({ codec: 'aac', config: true });
    expect(parseFlvAudioBody(hex('91 2e6d7033 fffb'), 0)).toMatchObject({ codec: 'mp3' });
  });

  it('throws FlvUnsupportedCodecError for Speex, Nellymoser, FLAC and multitrack', () => {
    expect(() => parseFlvAudioBody(hex('b2 00'), 0)).toThrow(FlvUnsupportedCodecError);
    expect(() => parseFlvAudioBody(hex('62 00'), 0)).toThrow(/Nellymoser/);
    expect(() => parseFlvAudioBody(hex('91 664c6143 00'), 0)).toThrow(/fLaC/);
    expect(() => parseFlvAudioBody(hex('95 00 4f707573'), 0)).toThrow(/multitrack/);
  });
});

describe('buildFlvBody', () => {
  it('writes legacy AVC with the composition offset', () => {
    const frame = videoFrame('h264', { dts: 100, pts: 140, keyframe: true, data: hex('00000001 65') });
    expect(buildFlvBody(frame)).toEqual(hex('17 01 000028 00000001 65'));
  });

  it('writes HEVC as CodedFramesX when there is no offset, CodedFrames otherwise', () => {
    expect(buildFlvBody(videoFrame('h265', { pts: 0, data: hex('01') }))[0]).toBe(0xa3);
    expect(buildFlvBody(videoFrame('h265', { pts: 33, data: hex('01') }))).toEqual(hex('a1 68766331 000021 01'));
    expect(buildFlvBody(videoFrame('av1', { config: true, data: hex('81') }))).toEqual(hex('90 61763031 81'));
  });

  it('reuses and caches flvBody so a frame is serialized once', () => {
    const frame = videoFrame('h264', { data: hex('01') });
    const first = buildFlvBody(frame);
    expect(frame.flvBody).toBe(first);
    expect(buildFlvBody(frame)).toBe(first);
  });

  it('takes MP3 rate and channels from the frame header', () => {
    // MPEG-1 layer 3, 44.1 kHz, joint stereo; then MPEG-2 22.05 kHz mono
    expect(buildFlvBody(audioFrame('mp3', hex('fffb9064')))[0]).toBe(0x2f);
    expect(buildFlvBody(audioFrame('mp3', hex('fff390c4')))[0]).toBe(0x2a);
  });

  it('round-trips through the parsers for any frame', () => {
    fc.assert(fc.property(frameArbitrary(), (frame) => {
      const body = buildFlvBody({ ...frame });
      const parsed = frame.kind === 'video' ? parseFlvVideoBody(body, frame.dts) : parseFlvAudioBody(body, frame.dts);
      expect(parsed).toEqual({ ...frame, flvBody: body });
    }));
  });

  it('on arbitrary bodies the parsers return or throw ParseError / FlvUnsupportedCodecError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.integer(), (bytes, dts) => {
      for (const parse of [parseFlvVideoBody, parseFlvAudioBody]) {
        try {
          parse(Buffer.from(bytes), dts);
        } catch (err) {
          expect(err instanceof ParseError || err instanceof FlvUnsupportedCodecError).toBe(true);
        }
      }
    }), { numRuns: 5000 });
  });
});

function videoFrame(codec: VideoCodec, over: Partial<MediaFrame>): MediaFrame {
  return { kind: 'video', codec, dts: 0, pts: 0, keyframe: false, config: false, data: Buffer.alloc(1), ...over };
}

function audioFrame(codec: AudioCodec, data: Buffer): MediaFrame {
  return { kind: 'audio', codec, dts: 0, pts: 0, keyframe: false, config: false, data };
}

function frameArbitrary(): fc.Arbitrary<MediaFrame> {
  const data = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((a) => Buffer.from(a));
  const dts = fc.integer({ min: 0, max: 2 ** 40 });
  const video = fc
    .record({
      codec: fc.constantFrom<VideoCodec>('h264', 'h265', 'av1', 'vp9'),
      dts,
      cts: fc.integer({ min: -(2 ** 23), max: 2 ** 23 - 1 }),
      keyframe: fc.boolean(),
      config: fc.boolean(),
      data,
    })
    .map(({ codec, dts, cts, keyframe, config, data }): MediaFrame => {
      // only AVC/HEVC frames carry a composition offset, and sequence headers never do
      const offset = config || codec === 'av1' || codec === 'vp9' ? 0 : cts;
      return { kind: 'video', codec, dts, pts: dts + offset, keyframe: keyframe && !config, config, data };
    });
  const audio = fc
    .record({ codec: fc.constantFrom<AudioCodec>('aac', 'mp3', 'opus'), dts, config: fc.boolean(), data })
    .map(({ codec, dts, config, data }): MediaFrame => ({
      kind: 'audio',
      codec,
      dts,
      pts: dts,
      keyframe: false,
      config: config && codec !== 'mp3',
      data,
    }));
  return fc.oneof(video, audio);
}
