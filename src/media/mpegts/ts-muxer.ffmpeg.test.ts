import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHevcClip } from '../../../test/helpers/coded-clips.js';
import { requireBinary } from '../../../test/helpers/peers.js';
import { FlvDemuxer, parseFlvAudioBody, parseFlvVideoBody } from '../flv/index.js';
import type { MediaFrame } from '../frame.js';
import { checkTransportStream } from './ts-checker.js';
import { TS_PACKET_SIZE, TsPid } from './ts-constants.js';
import { TsMuxer } from './ts-muxer.js';
import { readTsPacket, isTsProblem } from './ts-reader.js';

// Real peers: ffmpeg encodes the input at test time, ffprobe and ffmpeg read our output back.
const dir = mkdtempSync(join(tmpdir(), 'zenlive-mpegts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

function encodeFlv(name: string, extra: string[], audioOnly = false): MediaFrame[] {
  const file = join(dir, name);
  const video = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'];
  const audio = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
  const codecs = audioOnly ? ['-c:a', 'aac'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-c:a', 'aac'];
  run('ffmpeg', ['-v', 'error', '-y', ...(audioOnly ? [] : video), ...audio, '-t', '4', ...codecs, ...extra, '-f', 'flv', file]);
  const demuxer = new FlvDemuxer();
  const tags = demuxer.push(readFileSync(file));
  demuxer.end();
  return tags.flatMap((tag) => {
    const frame = tag.type === 9 ? parseFlvVideoBody(tag.body, tag.timestamp) : tag.type === 8 ? parseFlvAudioBody(tag.body, tag.timestamp) : null;
    return frame ? [frame] : [];
  });
}

/** Muxes frames, starting a segment (flush + PAT/PMT) at the first keyframe at least `segmentMs` after the last start. */
function mux(frames: readonly MediaFrame[], muxer: TsMuxer, segmentMs = Infinity): Buffer[] {
  const segments: Buffer[][] = [];
  let segmentStart = -Infinity;
  for (const frame of frames) {
    if (segments.length === 0 || (frame.kind === 'video' && frame.keyframe && frame.dts - segmentStart >= segmentMs)) {
      segments.at(-1)?.push(muxer.flush());
      segments.push([muxer.segmentStart()]);
      segmentStart = frame.dts;
    }
    segments.at(-1)?.push(muxer.writeFrame(frame));
  }
  segments.at(-1)?.push(muxer.flush());
  return segments.map((parts) => Buffer.concat(parts));
}

function save(name: string, ts: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, ts);
  return file;
}

interface ProbedStream {
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  nb_read_frames?: string;
}

function probeStreams(file: string): ProbedStream[] {
  const { stdout } = run('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: ProbedStream[] }).streams;
}

/** Full decode through ffmpeg at warning level: anything printed is a complaint. */
function decodeComplaints(file: string): string {
  return run('ffmpeg', ['-hide_banner', '-nostats', '-v', 'warning', '-i', file, '-f', 'null', '-']).stderr;
}

const media = (frames: readonly MediaFrame[], kind: 'video' | 'audio'): MediaFrame[] => frames.filter((f) => f.kind === kind && !f.config);

describe('TsMuxer read back by ffprobe and ffmpeg', () => {
  let bframes: MediaFrame[];
  let noBframes: MediaFrame[];

  beforeAll(() => {
    requireBinary('ffmpeg');
    requireBinary('ffprobe');
    bframes = encodeFlv('bframes.flv', []);
    noBframes = encodeFlv('no-bframes.flv', ['-bf', '0']);
  });

  it.each([
    ['with B-frames', () => bframes],
    ['without B-frames', () => noBframes],
  ])('H.264 + AAC %s: streams, frame counts, clean decode, clean checker', (name, input) => {
    const frames = input();
    const [ts] = mux(frames, new TsMuxer({ video: 'h264', audio: 'aac' }));
    const file = save(`${name}.ts`, ts!);
    const streams = probeStreams(file);
    expect(streams).toMatchObject([
      { codec_name: 'h264', width: 1280, height: 720, nb_read_frames: String(media(frames, 'video').length) },
      { codec_name: 'aac', sample_rate: '44100', nb_read_frames: String(media(frames, 'audio').length) },
    ]);
    expect(decodeComplaints(file)).toBe('');
    const report = checkTransportStream(ts!);
    expect(report.problems).toEqual([]);
    expect(report.pesPerPid.get(TsPid.Video)).toBe(media(frames, 'video').length);
    expect(report.pcrCount).toBeGreaterThanOrEqual(media(frames, 'video').length);
  });

  it('keeps B-frame PTS and DTS: ffprobe packets match the input times 90', () => {
    const frames = media(bframes, 'video');
    expect(frames.some((f) => f.pts !== f.dts)).toBe(true);
    const [ts] = mux(bframes, new TsMuxer({ video: 'h264', audio: 'aac' }));
    const file = save('bframe-times.ts', ts!);
    const { stdout } = run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,dts', '-of', 'json', file]);
    const packets = (JSON.parse(stdout) as { packets: { pts: number; dts: number }[] }).packets;
    expect(packets.slice(0, 40).map(({ pts, dts }) => ({ pts, dts }))).toEqual(frames.slice(0, 40).map((f) => ({ pts: f.pts * 90, dts: f.dts * 90 })));
  });

  it('segments cut at keyframes every 2 s, concatenated, still read cleanly', () => {
    const segments = mux(bframes, new TsMuxer({ video: 'h264', audio: 'aac' }), 2000);
    expect(segments.length).toBe(2);
    for (const segment of segments) {
      expect(segment.length % TS_PACKET_SIZE).toBe(0);
      expect(checkTransportStream(segment).problems).toEqual([]);
    }
    const ts = Buffer.concat(segments);
    const file = save('segments.ts', ts);
    expect(probeStreams(file)).toMatchObject([{ nb_read_frames: String(media(bframes, 'video').length) }, { codec_name: 'aac' }]);
    expect(decodeComplaints(file)).toBe('');
    expect(checkTransportStream(ts).problems).toEqual([]);
  });

  it('HEVC from libx265 (video only, learned from the frames)', async () => {
    const clip = await makeHevcClip({ seconds: 2 });
    const frames: MediaFrame[] = [
      { kind: 'video', codec: 'h265', dts: 0, pts: 0, keyframe: false, config: true, data: clip.config },
      ...clip.frames.map((f, i): MediaFrame => {
        const ms = Math.round((i * 1000) / clip.fps);
        return { kind: 'video', codec: 'h265', dts: ms, pts: ms, keyframe: f.keyframe, config: false, data: f.data };
      }),
    ];
    const segments = mux(frames, new TsMuxer(), 1000);
    expect(segments.length).toBe(2);
    const ts = Buffer.concat(segments);
    const file = save('hevc.ts', ts);
    expect(probeStreams(file)).toMatchObject([{ codec_name: 'hevc', width: 1280, height: 720, nb_read_frames: String(clip.frames.length) }]);
    expect(decodeComplaints(file)).toBe('');
    // the second segment decodes on its own: parameter sets were repeated before its keyframe
    const second = save('hevc-second.ts', segments[1]!);
    expect(decodeComplaints(second)).toBe('');
    expect(checkTransportStream(ts).problems).toEqual([]);
  });

  it('audio-only AAC carries the PCR on the audio PID', () => {
    const frames = encodeFlv('audio.flv', [], true);
    const [ts] = mux(frames, new TsMuxer({ audio: 'aac' }));
    const file = save('audio.ts', ts!);
    expect(probeStreams(file)).toMatchObject([{ codec_name: 'aac', sample_rate: '44100', nb_read_frames: String(media(frames, 'audio').length) }]);
    expect(decodeComplaints(file)).toBe('');
    const report = checkTransportStream(ts!);
    expect(report.problems).toEqual([]);
    expect(report.program?.pcrPid).toBe(TsPid.Audio);
  });

  it('the checker reports a dropped packet and a PCR jump in a real stream', () => {
    const [ts] = mux(noBframes, new TsMuxer({ video: 'h264', audio: 'aac' }));
    const packets = ts!.length / TS_PACKET_SIZE;
    const index = (predicate: (i: number) => boolean, from: number): number => {
      for (let i = from; i < packets; i++) if (predicate(i)) return i;
      throw new Error('no such packet');
    };
    const view = (i: number) => {
      const p = readTsPacket(ts!, i);
      if (isTsProblem(p)) throw new Error(p.message);
      return p;
    };
    const videoPayload = index((i) => view(i).pid === TsPid.Video && !view(i).start, packets >> 1);
    const dropped = Buffer.concat([ts!.subarray(0, videoPayload * TS_PACKET_SIZE), ts!.subarray((videoPayload + 1) * TS_PACKET_SIZE)]);
    expect(checkTransportStream(dropped).problems).toContainEqual(expect.objectContaining({ kind: 'continuity', pid: TsPid.Video }));

    const withPcr = index((i) => view(i).adaptation?.pcr !== undefined, packets >> 1);
    const jumped = Buffer.from(ts!);
    const at = withPcr * TS_PACKET_SIZE + 6; // PCR base bits 32..1
    jumped.writeUInt32BE(jumped.readUInt32BE(at) + 45_000, at); // +1 s on the 90 kHz base
    const problems = checkTransportStream(jumped).problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'pcr', packet: withPcr }));
  });
});
