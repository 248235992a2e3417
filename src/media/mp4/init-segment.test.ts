import { describe, expect, it } from 'vitest';
import { buildAudioSpecificConfig } from '../aac/index.js';
import type { MediaFrame } from '../frame.js';
import { findBox, readBoxes } from './box-reader.js';
import { mp4Codecs } from './codecs-string.js';
import { Mp4MuxError } from './errors.js';
import { buildInitSegment } from './init-segment.js';
import { mp4TrackFromConfig, type Mp4AudioTrack, type Mp4VideoTrack } from './tracks.js';

// the avcC ffmpeg 5.1 writes for testsrc2 1280x720 with libx264 (High, level 3.1)
const AVCC_720P = Buffer.from(
  '0164001fffe1001a6764001facd9405005bb0110000003001000000303c0f1831960010006' + '68ebe3cb22c0' + 'fdf8f800',
  'hex',
);
const ASC_LC_44100_STEREO = buildAudioSpecificConfig({ objectType: 2, sampleRate: 44100, channels: 2 });
// RFC 7845 §5.1 OpusHead: version 1, 2 channels, pre-skip 312, 48 kHz input, gain 0, family 0
const OPUS_HEAD = Buffer.from('4f707573486561640102380180bb0000000000', 'hex');

const config = (kind: 'video' | 'audio', codec: MediaFrame['codec'], data: Buffer): MediaFrame => ({
  kind,
  codec,
  dts: 0,
  pts: 0,
  keyframe: false,
  config: true,
  data,
});

const video: Mp4VideoTrack = { kind: 'video', codec: 'h264', id: 1, timescale: 90000, config: AVCC_720P, frameDuration: 3000, width: 1280, height: 720 };
const aac: Mp4AudioTrack = { kind: 'audio', codec: 'aac', id: 2, timescale: 44100, config: ASC_LC_44100_STEREO, frameDuration: 1024, sampleRate: 44100, channels: 2 };
const opus: Mp4AudioTrack = { kind: 'audio', codec: 'opus', id: 1, timescale: 48000, config: OPUS_HEAD, frameDuration: 960, sampleRate: 48000, channels: 2 };

describe('buildInitSegment', () => {
  it('writes ftyp then moov with one trak per track and mvex/trex', () => {
    const init = buildInitSegment([video, aac]);
    expect(readBoxes(init).map((b) => b.type)).toEqual(['ftyp', 'moov']);
    const moov = findBox(init, 'moov');
    expect(readBoxes(moov.body).map((b) => b.type)).toEqual(['mvhd', 'trak', 'trak', 'mvex']);
    // mvhd next_track_ID is the last field
    const mvhd = findBox(init, 'moov/mvhd').body;
    expect(mvhd.readUInt32BE(mvhd.length - 4)).toBe(3);
    const trex = readBoxes(findBox(init, 'moov/mvex').body);
    expect(trex.map((b) => [b.type, b.body.readUInt32BE(4), b.body.readUInt32BE(8)])).toEqual([
      ['trex', 1, 1],
      ['trex', 2, 1],
    ]);
  });

  it('declares iso6 and, for a single track only, the CMAF brand', () => {
    const brands = (init: Buffer): string[] => {
      const body = findBox(init, 'ftyp').body;
      const list = [];
      for (let i = 8; i < body.length; i += 4) list.push(body.toString('latin1', i, i + 4));
      return [body.toString('latin1', 0, 4), ...list];
    };
    expect(brands(buildInitSegment([video, aac]))).toEqual(['iso6', 'iso6', 'isom', 'mp42']);
    expect(brands(buildInitSegment([video]))).toEqual(['iso6', 'iso6', 'cmfc', 'isom', 'mp42']);
    expect(brands(buildInitSegment([opus]))).toContain('Opus');
  });

  it('describes the video track: tkhd size, 90 kHz mdhd, vide handler, avc1 with the avcC as received', () => {
    const init = buildInitSegment([video, aac]);
    const tkhd = findBox(init, 'moov/trak/tkhd').body;
    expect(tkhd.readUInt32BE(12)).toBe(1); // track_ID
    expect([tkhd.readUInt32BE(tkhd.length - 8) / 65536, tkhd.readUInt32BE(tkhd.length - 4) / 65536]).toEqual([1280, 720]);
    expect(findBox(init, 'moov/trak/mdia/mdhd').body.readUInt32BE(12)).toBe(90000);
    expect(findBox(init, 'moov/trak/mdia/hdlr').body.toString('latin1', 8, 12)).toBe('vide');
    findBox(init, 'moov/trak/mdia/minf/vmhd');
    findBox(init, 'moov/trak/mdia/minf/dinf/dref/url ');
    const avc1 = findBox(init, 'moov/trak/mdia/minf/stbl/stsd/avc1');
    expect([avc1.body.readUInt16BE(24), avc1.body.readUInt16BE(26)]).toEqual([1280, 720]);
    expect(findBox(init, 'moov/trak/mdia/minf/stbl/stsd/avc1/avcC').body).toEqual(AVCC_720P);
    for (const empty of ['stts', 'stsc', 'stco']) {
      expect(findBox(init, `moov/trak/mdia/minf/stbl/${empty}`).body).toEqual(Buffer.alloc(8));
    }
  });

  it('wraps the AudioSpecificConfig in an esds an MPEG-4 parser can walk', () => {
    const init = buildInitSegment([aac]);
    const mp4a = findBox(init, 'moov/trak/mdia/minf/stbl/stsd/mp4a');
    expect(mp4a.body.readUInt16BE(16)).toBe(2); // channelcount
    expect(mp4a.body.readUInt32BE(24)).toBe(44100 * 65536);
    const esds = findBox(init, 'moov/trak/mdia/minf/stbl/stsd/mp4a/esds').body;
    // version/flags, ES_Descriptor tag 3, DecoderConfigDescriptor tag 4 with OTI 0x40, audio stream
    expect([esds[4], esds[9], esds[11], esds[12]]).toEqual([0x03, 0x04, 0x40, 0x15]);
    const dsi = esds.indexOf(0x05, 24);
    expect(esds[dsi + 1]).toBe(ASC_LC_44100_STEREO.length);
    expect(esds.subarray(dsi + 2, dsi + 2 + ASC_LC_44100_STEREO.length)).toEqual(ASC_LC_44100_STEREO);
    expect(esds.subarray(esds.length - 3)).toEqual(Buffer.from([0x06, 0x01, 0x02]));
    expect(findBox(init, 'moov/trak/tkhd').body.readUInt16BE(36)).toBe(0x0100); // audio volume
  });

  it('turns the OpusHead into a big-endian dOps', () => {
    const dops = findBox(buildInitSegment([opus]), 'moov/trak/mdia/minf/stbl/stsd/Opus/dOps').body;
    expect(dops.toString('hex')).toBe('0002013800' + '00bb80' + '0000' + '00');
  });

  it('refuses no tracks and duplicate track ids', () => {
    expect(() => buildInitSegment([])).toThrow(Mp4MuxError);
    expect(() => buildInitSegment([video, { ...aac, id: 1 }])).toThrow(Mp4MuxError);
  });
});

describe('mp4TrackFromConfig and mp4Codecs', () => {
  it('builds tracks from configuration frames and the hub track info', () => {
    const v = mp4TrackFromConfig(config('video', 'h264', AVCC_720P), { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720, fps: 30 }, 1);
    expect(v).toMatchObject({ kind: 'video', timescale: 90000, frameDuration: 3000, width: 1280, height: 720 });
    const a = mp4TrackFromConfig(config('audio', 'aac', ASC_LC_44100_STEREO), { codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44100, channels: 2 }, 2);
    expect(a).toMatchObject({ kind: 'audio', timescale: 44100, frameDuration: 1024, channels: 2 });
    expect(mp4Codecs([v, a])).toBe('avc1.64001f,mp4a.40.2');
    const o = mp4TrackFromConfig(config('audio', 'opus', OPUS_HEAD), { codec: 'opus', codecString: 'opus', sampleRate: 48000, channels: 2 }, 3);
    expect(o).toMatchObject({ timescale: 48000, frameDuration: 960 });
    expect(mp4Codecs([o])).toBe('opus');
  });

  it('gives HE-AAC a 2048-tick frame at the SBR output rate', () => {
    // AOT 5 (SBR), core 22050 Hz (index 7), stereo, extension rate 44100 (index 4), core AOT 2
    const heAac = Buffer.from([0x2b, 0x92, 0x08, 0x00]);
    const a = mp4TrackFromConfig(config('audio', 'aac', heAac), { codec: 'aac', codecString: 'mp4a.40.5', sampleRate: 44100, channels: 2 }, 1);
    expect(a).toMatchObject({ timescale: 44100, frameDuration: 2048 });
    expect(mp4Codecs([a])).toBe('mp4a.40.5');
  });

  it('refuses codecs the muxer does not carry', () => {
    const vp9 = config('video', 'vp9', Buffer.alloc(12));
    expect(() => mp4TrackFromConfig(vp9, { codec: 'vp9', codecString: 'vp09', width: 1, height: 1 }, 1)).toThrow(Mp4MuxError);
  });
});
