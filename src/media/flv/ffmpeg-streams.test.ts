import { spawnSync } from 'node:child_process';
import { describe, expect, it, beforeAll } from 'vitest';
import { aacTrackInfo, buildAdtsHeader, parseAudioSpecificConfig } from '../aac/index.js';
import { av1TrackInfo } from '../av1/index.js';
import { avcTrackInfo, isAvcKeyframe } from '../avc/index.js';
import type { MediaFrame } from '../frame.js';
import { hevcTrackInfo } from '../hevc/index.js';
import { parseFlvAudioBody } from './audio-body.js';
import { buildFlvBody } from './build-body.js';
import { FlvDemuxer, type FlvTag } from './demuxer.js';
import { buildFlvTag, FLV_FILE_HEADER_AV } from './tag.js';
import { parseFlvVideoBody } from './video-body.js';

// Real bitstreams: ffmpeg (Debian's 5.1 here) writes them to stdout at test time.
// A missing peer fails these tests loudly; they never skip.
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
function requireFfmpeg(): void {
  if (!hasFfmpeg) throw new Error('ffmpeg is not installed; run scripts/provision.sh (the test command does)');
}
const testsrc = (size: string): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`];
const sine = (rate: number): string[] => ['-f', 'lavfi', '-i', `sine=sample_rate=${rate}`];

function ffmpeg(args: string[], input?: Buffer): Buffer {
  const run = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { input, maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.toString()}`);
  return run.stdout;
}

/** Demuxes in uneven chunks, as a socket would deliver them. */
function demux(flv: Buffer): FlvTag[] {
  const demuxer = new FlvDemuxer();
  const tags: FlvTag[] = [];
  for (let pos = 0, step = 1; pos < flv.length; pos += step, step = (step * 7 + 3) % 5000) {
    tags.push(...demuxer.push(flv.subarray(pos, pos + step)));
  }
  demuxer.end();
  return tags;
}

function frames(tags: FlvTag[]): MediaFrame[] {
  return tags.flatMap((tag) => {
    const frame = tag.type === 9 ? parseFlvVideoBody(tag.body, tag.timestamp) : tag.type === 8 ? parseFlvAudioBody(tag.body, tag.timestamp) : null;
    return frame ? [frame] : [];
  });
}

/** The codec configuration box of the first sample entry of an MP4 (moov/trak/mdia/minf/stbl/stsd). */
function sampleEntryBox(mp4: Buffer, name: string): Buffer {
  const children = (buf: Buffer, start: number): Map<string, Buffer> => {
    const boxes = new Map<string, Buffer>();
    for (let pos = start; pos + 8 <= buf.length; ) {
      const size = buf.readUInt32BE(pos);
      if (size < 8) break;
      boxes.set(buf.toString('latin1', pos + 4, pos + 8), buf.subarray(pos + 8, pos + size));
      pos += size;
    }
    return boxes;
  };
  let box = mp4;
  for (const path of ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']) {
    const next = children(box, 0).get(path);
    if (!next) throw new Error(`no ${path} box`);
    box = next;
  }
  // stsd: version/flags + entry count; a visual sample entry has 78 bytes of fields before its boxes
  const entry = [...children(box, 8).values()][0];
  const found = entry && children(entry, 78).get(name);
  if (!found) throw new Error(`no ${name} box`);
  return found;
}

/** Sends a configuration record through our own E-RTMP FLV path and back. */
function throughFlv(codec: 'h265' | 'av1', config: Buffer): MediaFrame | null {
  const frame: MediaFrame = { kind: 'video', codec, dts: 0, pts: 0, keyframe: false, config: true, data: config };
  const flv = Buffer.concat([FLV_FILE_HEADER_AV, buildFlvTag(9, 0, buildFlvBody(frame))]);
  const [tag] = demux(flv);
  return tag ? parseFlvVideoBody(tag.body, tag.timestamp) : null;
}

describe('streams written by ffmpeg', () => {
  beforeAll(requireFfmpeg);
  it('H.264 + AAC FLV: track info, keyframes, and byte-identical rebuilt bodies', () => {
    const flv = ffmpeg([...testsrc('1280x720'), ...sine(44100), '-t', '1', '-c:v', 'libx264', '-c:a', 'aac', '-ac', '2', '-f', 'flv', 'pipe:1']);
    const all = frames(demux(flv));
    const videoConfig = all.find((f) => f.kind === 'video' && f.config);
    const audioConfig = all.find((f) => f.kind === 'audio' && f.config);
    expect(avcTrackInfo(videoConfig!.data)).toMatchObject({ width: 1280, height: 720, fps: 30, codecString: 'avc1.64001f' });
    expect(aacTrackInfo(audioConfig!.data)).toMatchObject({ sampleRate: 44100, channels: 2, codecString: 'mp4a.40.2' });
    const video = all.filter((f) => f.kind === 'video' && !f.config);
    expect(video.length).toBe(30);
    expect(video[0]?.keyframe).toBe(true);
    for (const f of video) expect(isAvcKeyframe(f.data)).toBe(f.keyframe);
    expect(video.some((f) => f.pts > f.dts)).toBe(true); // B-frames
    for (const f of all) {
      const { flvBody, ...fresh } = f;
      expect(buildFlvBody(fresh)).toEqual(flvBody);
    }
  });

  it('AAC at 48 kHz and a 1920x1080 picture cropped from 1088 lines', () => {
    const flv = ffmpeg([...testsrc('1920x1080'), ...sine(48000), '-t', '0.2', '-c:v', 'libx264', '-c:a', 'aac', '-f', 'flv', 'pipe:1']);
    const all = frames(demux(flv));
    expect(aacTrackInfo(all.find((f) => f.kind === 'audio' && f.config)!.data)).toMatchObject({ sampleRate: 48000 });
    expect(avcTrackInfo(all.find((f) => f.kind === 'video' && f.config)!.data)).toMatchObject({ width: 1920, height: 1080 });
  });

  it('ADTS headers we write make raw AAC frames that ffprobe reads', () => {
    const flv = ffmpeg([...sine(44100), '-t', '1', '-c:a', 'aac', '-ac', '2', '-f', 'flv', 'pipe:1']);
    const all = frames(demux(flv));
    const asc = parseAudioSpecificConfig(all.find((f) => f.config)!.data);
    const raw = all.filter((f) => !f.config);
    const adts = Buffer.concat(raw.flatMap((f) => [buildAdtsHeader(asc, f.data.length), f.data]));
    const probe = spawnSync('ffprobe', ['-v', 'error', '-f', 'aac', '-count_packets', '-show_streams', '-of', 'json', 'pipe:0'], { input: adts });
    const stream = JSON.parse(probe.stdout.toString()).streams[0];
    expect(stream).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2, nb_read_packets: String(raw.length) });
  });

  it('MP3 FLV frames rebuild to the same bytes', () => {
    const flv = ffmpeg([...sine(44100), '-t', '0.5', '-c:a', 'libmp3lame', '-f', 'flv', 'pipe:1']);
    const mp3 = frames(demux(flv));
    expect(mp3.length).toBeGreaterThan(10);
    for (const f of mp3) {
      expect(f.codec).toBe('mp3');
      const { flvBody, ...fresh } = f;
      expect(buildFlvBody(fresh)).toEqual(flvBody);
    }
  });

  it('HEVC configuration from x265, through Enhanced RTMP FLV, with conformance window cropping', () => {
    const mp4 = (size: string): Buffer =>
      ffmpeg([...testsrc(size), '-frames:v', '3', '-c:v', 'libx265', '-x265-params', 'log-level=error', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov', 'pipe:1']);
    const hd = throughFlv('h265', sampleEntryBox(mp4('1280x720'), 'hvcC'));
    expect(hevcTrackInfo(hd!.data)).toMatchObject({ width: 1280, height: 720, fps: 30, codecString: 'hvc1.1.6.L93.90' });
    const odd = throughFlv('h265', sampleEntryBox(mp4('642x362'), 'hvcC'));
    expect(hevcTrackInfo(odd!.data)).toMatchObject({ width: 642, height: 362 });
  });

  it('AV1 configuration from SVT-AV1, through Enhanced RTMP FLV', () => {
    const mp4 = ffmpeg([...testsrc('1280x720'), '-frames:v', '2', '-c:v', 'libsvtav1', '-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov', 'pipe:1']);
    const frame = throughFlv('av1', sampleEntryBox(mp4, 'av1C'));
    expect(av1TrackInfo(frame!.data)).toMatchObject({ codec: 'av1', width: 1280, height: 720 });
    expect(av1TrackInfo(frame!.data).codecString).toMatch(/^av01\.0\.\d\dM\.08$/);
  });
});
