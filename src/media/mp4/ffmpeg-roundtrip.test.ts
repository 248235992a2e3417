import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAv1Clip, makeHevcClip, type CodedClip } from '../../../test/helpers/coded-clips.js';
import { requireBinary } from '../../../test/helpers/peers.js';
import { FlvDemuxer, parseFlvAudioBody, parseFlvVideoBody } from '../flv/index.js';
import type { MediaFrame } from '../frame.js';
import { describeConfigFrame } from '../index.js';
import { mp4Codecs } from './codecs-string.js';
import { buildFragment, isIndependentFragment, type FragmentRun } from './fragment.js';
import { buildInitSegment } from './init-segment.js';
import { opusPacketTicks } from './sample-timing.js';
import { mp4TrackFromConfig, type Mp4Track } from './tracks.js';

// Real peers: ffmpeg encodes the input at test time, ffprobe and ffmpeg read our output back.
let dir = '';
beforeAll(() => {
  requireBinary('ffmpeg');
  requireBinary('ffprobe');
  dir = mkdtempSync(join(tmpdir(), 'zenlive-mp4-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a tool under `timeout` so a stuck child never outlives the test; returns stdout, throws on failure. */
function run(tool: string, args: readonly string[]): { stdout: Buffer; stderr: string } {
  const r = spawnSync('timeout', ['-k', '3', '120', tool, '-hide_banner', ...args], { maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr.toString()}`);
  return { stdout: r.stdout, stderr: r.stderr.toString() };
}

function flvFrames(extra: readonly string[]): MediaFrame[] {
  const flv = run('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '4', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', ...extra, '-c:a', 'aac', '-f', 'flv', 'pipe:1',
  ]).stdout;
  const demuxer = new FlvDemuxer();
  const tags = demuxer.push(flv);
  demuxer.end();
  return tags.flatMap((t) => {
    const f = t.type === 9 ? parseFlvVideoBody(t.body, t.timestamp) : t.type === 8 ? parseFlvAudioBody(t.body, t.timestamp) : null;
    return f ? [f] : [];
  });
}

/** Video then audio tracks from the stream's configuration frames, as the HLS muxer will build them. */
function tracksOf(frames: readonly MediaFrame[]): Mp4Track[] {
  return ['video', 'audio'].flatMap((kind, i) => {
    const config = frames.find((f) => f.kind === kind && f.config);
    const info = config && describeConfigFrame(config);
    return config && info ? [mp4TrackFromConfig(config, info, i + 1)] : [];
  });
}

/**
 * Cuts frames into fragments: 2 s segments starting on keyframes, or 333 ms LL-HLS parts that
 * may start anywhere; returns init + fragments, the file ffmpeg reads, and each fragment's runs.
 */
function mux(tracks: readonly Mp4Track[], frames: readonly MediaFrame[], mode: 'segments' | 'parts'): { file: Buffer; fragments: FragmentRun[][] } {
  const samples = frames.filter((f) => !f.config);
  const cuts: number[] = [];
  for (const f of samples) {
    const last = cuts[cuts.length - 1];
    if (mode === 'segments' && f.kind === 'video' && f.keyframe && (last === undefined || f.dts - last >= 2000)) cuts.push(f.dts);
    if (mode === 'parts' && (last === undefined || f.dts - last >= 333)) cuts.push(last === undefined ? f.dts : last + 333);
  }
  const fragments: FragmentRun[][] = cuts.map((start, k) => {
    const end = cuts[k + 1] ?? Infinity;
    const inside = (f: MediaFrame): boolean => (k === 0 || f.dts >= start) && f.dts < end;
    return tracks.flatMap((track) => {
      const own = samples.filter((f) => f.kind === track.kind);
      const chunk = own.filter(inside);
      const next = own.find((f) => f.dts >= end);
      return chunk.length > 0 ? [{ track, frames: chunk, ...(next ? { nextDts: next.dts } : {}) }] : [];
    });
  });
  const file = Buffer.concat([buildInitSegment(tracks), ...fragments.map((runs, k) => buildFragment(k + 1, runs))]);
  return { file, fragments };
}

interface Probed {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  nb_read_frames?: string;
}

function check(name: string, file: Buffer): Probed[] {
  const path = join(dir, name);
  writeFileSync(path, file);
  // decoding the whole file must not print a single error
  expect(run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']).stderr).toBe('');
  const json = run('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-print_format', 'json', path]).stdout.toString();
  return (JSON.parse(json) as { streams: Probed[] }).streams;
}

const count = (frames: readonly MediaFrame[], kind: string): string => String(frames.filter((f) => f.kind === kind && !f.config).length);

describe('fMP4 read back by ffmpeg', () => {
  it('H.264 with B-frames + AAC in 2 s segments: streams, frame counts and every pts/dts', () => {
    const frames = flvFrames([]);
    const tracks = tracksOf(frames);
    expect(mp4Codecs(tracks)).toBe('avc1.64001f,mp4a.40.2');
    const { file, fragments } = mux(tracks, frames, 'segments');
    expect(fragments.length).toBe(2);
    expect(fragments.every(isIndependentFragment)).toBe(true);
    const streams = check('h264-bframes.mp4', file);
    expect(streams).toMatchObject([
      { codec_name: 'h264', width: 1280, height: 720, nb_read_frames: count(frames, 'video') },
      { codec_name: 'aac', sample_rate: '44100', nb_read_frames: count(frames, 'audio') },
    ]);
    const video = frames.filter((f) => f.kind === 'video' && !f.config);
    expect(video.some((f) => f.pts !== f.dts)).toBe(true);
    const packets = run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts,dts', '-of', 'csv=p=0', join(dir, 'h264-bframes.mp4')]).stdout;
    const read = packets.toString().trim().split('\n').map((line) => line.split(',').map((n) => Number(n) / 90));
    expect(read).toEqual(video.map((f) => [f.pts, f.dts]));
  });

  it('H.264 without B-frames + AAC in 333 ms parts, some starting between keyframes', () => {
    const frames = flvFrames(['-bf', '0']);
    const { file, fragments } = mux(tracksOf(frames), frames, 'parts');
    expect(fragments.length).toBeGreaterThanOrEqual(12);
    // only the parts holding the keyframes at 0 s and 2 s can start playback (a trailing
    // audio-only part, past the last video frame, is independent too)
    const withVideo = fragments.filter((runs) => runs.some((r) => r.track.kind === 'video'));
    expect(withVideo.filter(isIndependentFragment).length).toBe(2);
    expect(check('h264-parts.mp4', file)).toMatchObject([
      { codec_name: 'h264', width: 1280, height: 720, nb_read_frames: count(frames, 'video') },
      { codec_name: 'aac', sample_rate: '44100', nb_read_frames: count(frames, 'audio') },
    ]);
  });

  const clipFrames = (clip: CodedClip): MediaFrame[] => [
    { kind: 'video', codec: clip.codec, dts: 0, pts: 0, keyframe: false, config: true, data: clip.config },
    ...clip.frames.map((f, i) => {
      const dts = Math.round((i * 1000) / clip.fps);
      return { kind: 'video' as const, codec: clip.codec, dts, pts: dts, keyframe: f.keyframe, config: false, data: f.data };
    }),
  ];

  it.each([
    ['HEVC', () => makeHevcClip({ seconds: 4 }), 'hevc', 1280, 720, /^hvc1\.1\.6\.L\d+/],
    ['AV1', () => makeAv1Clip({ seconds: 4 }), 'av1', 640, 360, /^av01\.0\.\d\dM\.08$/],
  ])('%s video in segments and in parts', async (_name, make, codecName, width, height, codecs) => {
    const frames = clipFrames(await make());
    const tracks = tracksOf(frames);
    expect(mp4Codecs(tracks)).toMatch(codecs);
    for (const mode of ['segments', 'parts'] as const) {
      const streams = check(`${codecName}-${mode}.mp4`, mux(tracks, frames, mode).file);
      expect(streams).toMatchObject([{ codec_name: codecName, width, height, nb_read_frames: count(frames, 'video') }]);
    }
  });

  it('Opus from libopus (Ogg packets) in parts', () => {
    const ogg = run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2', '-c:a', 'libopus', '-f', 'ogg', 'pipe:1']).stdout;
    const [head, , ...packets] = oggPackets(ogg);
    if (!head) throw new Error('no OpusHead');
    let samples = 0;
    const frames: MediaFrame[] = [{ kind: 'audio', codec: 'opus', dts: 0, pts: 0, keyframe: false, config: true, data: head }];
    for (const data of packets) {
      const dts = Math.round(samples / 48);
      frames.push({ kind: 'audio', codec: 'opus', dts, pts: dts, keyframe: false, config: false, data });
      samples += opusPacketTicks(data, 48000) ?? 960;
    }
    const tracks = tracksOf(frames);
    expect(mp4Codecs(tracks)).toBe('opus');
    expect(check('opus-parts.mp4', mux(tracks, frames, 'parts').file)).toMatchObject([
      { codec_name: 'opus', sample_rate: '48000', nb_read_frames: count(frames, 'audio') },
    ]);
  });
});

/** The packets of an Ogg stream (RFC 3533 §6): page segments of 255 continue a packet, shorter ones end it. */
function oggPackets(ogg: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let pos = 0; pos + 27 <= ogg.length; ) {
    if (ogg.toString('latin1', pos, pos + 4) !== 'OggS') throw new Error(`no Ogg page at ${pos}`);
    const segments = ogg.subarray(pos + 27, pos + 27 + (ogg[pos + 26] ?? 0));
    let data = pos + 27 + segments.length;
    for (const lace of segments) {
      pending.push(ogg.subarray(data, data + lace));
      data += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    pos = data;
  }
  return packets;
}
