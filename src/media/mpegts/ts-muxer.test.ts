import { describe, expect, it } from 'vitest';
import { buildAudioSpecificConfig } from '../aac/index.js';
import { joinNalUnits } from '../avc/index.js';
import type { MediaFrame } from '../frame.js';
import { TsUnsupportedCodecError } from './errors.js';
import { checkTransportStream } from './ts-checker.js';
import { TS_PACKET_SIZE, TsPid, TsStreamType } from './ts-constants.js';
import { demuxTransportStream } from './ts-demuxer.js';
import { TsMuxer } from './ts-muxer.js';
import { isTsProblem, readTsPacket } from './ts-reader.js';

// Synthetic H.264: hand-made avcC (parsing it reads bytes only) and slices of filler bytes.
const SPS = Buffer.from('6764001facd9', 'hex');
const PPS = Buffer.from('68ebe3cb', 'hex');
const AVCC = Buffer.concat([Buffer.from('0164001fffe1', 'hex'), u16(SPS.length), SPS, Buffer.from([1]), u16(PPS.length), PPS]);
const IDR = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(3000, 0x55)]);
const SLICE = Buffer.from('41aabbcc', 'hex');
const AUD = Buffer.from('09f0', 'hex');
const START = Buffer.from('00000001', 'hex');

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

function video(ms: number, nals: Buffer[], keyframe = false, pts = ms): MediaFrame {
  return { kind: 'video', codec: 'h264', dts: ms, pts, keyframe, config: false, data: joinNalUnits(nals) };
}

function audio(ms: number, size = 300): MediaFrame {
  return { kind: 'audio', codec: 'aac', dts: ms, pts: ms, keyframe: false, config: false, data: Buffer.alloc(size, 0x21) };
}

const avcConfig: MediaFrame = { kind: 'video', codec: 'h264', dts: 0, pts: 0, keyframe: false, config: true, data: AVCC };
const ascConfig = (sampleRate = 44100): MediaFrame => ({
  kind: 'audio', codec: 'aac', dts: 0, pts: 0, keyframe: false, config: true,
  data: buildAudioSpecificConfig({ objectType: 2, sampleRate, channels: 2 }),
});

function annexB(...nals: Buffer[]): Buffer {
  return Buffer.concat(nals.flatMap((nal) => [START, nal]));
}

function muxAll(muxer: TsMuxer, frames: MediaFrame[]): Buffer {
  return Buffer.concat([...frames.map((f) => muxer.writeFrame(f)), muxer.flush()]);
}

describe('TsMuxer', () => {
  it('configuration frames only update state', () => {
    const muxer = new TsMuxer({ video: 'h264', audio: 'aac' });
    expect(muxer.writeFrame(avcConfig).length).toBe(0);
    expect(muxer.writeFrame(ascConfig()).length).toBe(0);
  });

  it('writes Annex B with an AUD first, and SPS/PPS before keyframes that lack them', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    const ts = muxAll(muxer, [
      avcConfig,
      video(0, [IDR], true),
      video(33, [AUD, SLICE]), // an AUD of its own is not doubled
      video(67, [SPS, PPS, IDR], true), // parameter sets already there are not repeated
    ]);
    expect(ts.length % TS_PACKET_SIZE).toBe(0);
    const { pes, problems } = demuxTransportStream(ts);
    expect(problems).toEqual([]);
    expect(pes.map((p) => p.payload)).toEqual([annexB(AUD, SPS, PPS, IDR), annexB(AUD, SLICE), annexB(AUD, SPS, PPS, IDR)]);
    expect(pes.map((p) => p.randomAccess)).toEqual([true, false, true]);
  });

  it('H.265 gets its own AUD (NAL type 35) and VPS/SPS/PPS from the hvcC', () => {
    const vps = Buffer.from('40010c01', 'hex');
    const sps = Buffer.from('42010101', 'hex');
    const pps = Buffer.from('4401c172', 'hex');
    const array = (type: number, nal: Buffer): Buffer => Buffer.concat([Buffer.from([0x80 | type, 0, 1]), u16(nal.length), nal]);
    const hvcC = Buffer.concat([Buffer.from('010160000000900000000000' + '5df000fcfdf8f800000f03', 'hex'), array(32, vps), array(33, sps), array(34, pps)]);
    const idr = Buffer.from('2601aabb', 'hex');
    const muxer = new TsMuxer();
    const ts = muxAll(muxer, [
      { kind: 'video', codec: 'h265', dts: 0, pts: 0, keyframe: false, config: true, data: hvcC },
      { kind: 'video', codec: 'h265', dts: 0, pts: 0, keyframe: true, config: false, data: joinNalUnits([idr]) },
    ]);
    const { pes, program } = demuxTransportStream(ts);
    expect(program?.streams).toEqual([{ pid: TsPid.Video, streamType: TsStreamType.H265 }]);
    expect(pes[0]?.payload).toEqual(annexB(Buffer.from('460150', 'hex'), vps, sps, pps, idr));
  });

  it('PTS and DTS in 90 kHz, DTS only when it differs, a PCR in every video PES', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    const ts = muxAll(muxer, [avcConfig, video(0, [IDR], true, 67), video(33, [SLICE], false, 33)]);
    const report = checkTransportStream(ts);
    expect(report.problems).toEqual([]);
    expect(demuxTransportStream(ts).pes.map(({ pts, dts }) => ({ pts, dts }))).toEqual([
      { pts: 6030, dts: 0 },
      { pts: 2970, dts: undefined },
    ]);
    expect(report.pcrCount).toBe(2);
  });

  it('continuity counters and the PMT go on across segments', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    muxer.writeFrame(avcConfig);
    const parts = [muxer.segmentStart(), muxer.writeFrame(video(0, [IDR], true)), muxer.segmentStart(), muxer.writeFrame(video(33, [IDR], true))];
    const ts = Buffer.concat(parts);
    expect(checkTransportStream(ts).problems).toEqual([]);
    const third = readTsPacket(parts[2]!, 0);
    expect(!isTsProblem(third) && third.pid === TsPid.Pat && third.continuity).toBe(1);
  });

  it('packs AAC frames spanning under 50 ms into one PES, with ADTS headers, and flushes the rest', () => {
    const muxer = new TsMuxer({ audio: 'aac' });
    const outs = [ascConfig(), audio(0), audio(23), audio(46), audio(70), audio(93)].map((f) => muxer.writeFrame(f));
    expect(outs.map((o) => o.length > 0)).toEqual([false, false, false, false, true, false]);
    const ts = Buffer.concat([...outs, muxer.flush()]);
    const { pes } = demuxTransportStream(ts);
    expect(pes.map((p) => p.pts)).toEqual([0, 70 * 90]);
    expect(pes.map((p) => p.payload.length)).toEqual([3 * 307, 2 * 307]);
    expect(pes[0]?.payload.subarray(0, 2).toString('hex')).toBe('fff1');
    expect(checkTransportStream(ts).problems).toEqual([]);
  });

  it('audio-only streams at 8 kHz (128 ms frames) still get a PCR every 100 ms', () => {
    const muxer = new TsMuxer({ audio: 'aac' });
    const ts = muxAll(muxer, [ascConfig(8000), ...Array.from({ length: 20 }, (_, i) => audio(i * 128))]);
    const report = checkTransportStream(ts);
    expect(report.problems).toEqual([]);
    expect(report.pcrCount).toBeGreaterThan(20);
  });

  it('slow video with audio: PCR-only packets on the video PID fill the gaps', () => {
    const muxer = new TsMuxer({ video: 'h264', audio: 'aac' });
    const frames = [avcConfig, ascConfig()];
    for (let ms = 0; ms < 3000; ms += 23) {
      if (ms % 500 < 23) frames.push(video(ms, [ms === 0 ? IDR : SLICE], ms === 0));
      frames.push(audio(ms));
    }
    const report = checkTransportStream(muxAll(muxer, frames));
    expect(report.problems).toEqual([]);
    expect(report.pcrCount).toBeGreaterThan(30);
  });

  it('a timeline jump is signalled as a discontinuity, not a PCR gap', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    const ts = muxAll(muxer, [avcConfig, video(0, [IDR], true), video(33, [SLICE]), video(3_600_000, [IDR], true), video(3_600_033, [SLICE])]);
    expect(checkTransportStream(ts).problems.filter((p) => p.kind !== 'timestamp')).toEqual([]);
    const flagged = [...Array(ts.length / TS_PACKET_SIZE).keys()].map((i) => readTsPacket(ts, i)).filter((p) => !isTsProblem(p) && p.adaptation?.discontinuity);
    expect(flagged.length).toBe(1);
  });

  it('learns tracks from the frames: a new PMT version before the first PES of a new track', () => {
    const muxer = new TsMuxer();
    const first = muxer.segmentStart();
    const ts = Buffer.concat([first, muxAll(muxer, [ascConfig(), audio(0), audio(23), avcConfig, video(40, [IDR], true), audio(60), audio(83)])]);
    const report = checkTransportStream(ts);
    expect(report.problems).toEqual([]);
    expect(report.program).toMatchObject({ pcrPid: TsPid.Video, version: 2 });
    expect(report.program?.streams.map((s) => s.pid)).toEqual([TsPid.Video, TsPid.Audio]);
  });

  it('ignores tracks it was not asked for and refuses codecs it cannot carry', () => {
    const muxer = new TsMuxer({ video: 'h264' });
    expect(muxer.writeFrame(audio(0)).length).toBe(0);
    expect(muxer.writeFrame({ ...audio(0), codec: 'opus' }).length).toBe(0);
    expect(() => new TsMuxer({ video: 'av1' as 'h264' })).toThrow(TsUnsupportedCodecError);
  });
});
