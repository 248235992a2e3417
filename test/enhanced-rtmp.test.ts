import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamInfo } from '../src/index.js';
import {
  joinAnnexB,
  parseFlvVideoBody,
  parseHevcDecoderConfig,
  splitNalUnits,
  type MediaFrame,
} from '../src/media/index.js';
import { makeAv1Clip, makeHevcClip, writeAv1Ivf, type CodedClip } from './helpers/coded-clips.js';
import { probe } from './helpers/ffmpeg.js';
import { publishCodedClip, type FramePublisher } from './helpers/frame-publisher.js';
import { requireBinary } from './helpers/peers.js';
import { flvTags, startRtmpPlayer } from './helpers/players.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

const run = promisify(execFile);

/**
 * Debian's ffmpeg 5.1 cannot publish HEVC or AV1 over RTMP, so ffmpeg only encodes (libx265,
 * libaom-av1) and decodes here; our RTMP client publishes the E-RTMP FourCC packets.
 */
interface Case {
  id: string;
  codec: 'h265' | 'av1';
  fourCc: string;
  /** E-RTMP packet type of coded frames without a composition offset: CodedFramesX for HEVC, CodedFrames for AV1. */
  codedPacketType: number;
  codecString: string;
  profile: string;
  level: string;
  width: number;
  height: number;
  /** ffprobe's name for the codec, and the file extension ffmpeg reads it from. */
  ffmpegCodec: string;
  extension: string;
}

const CASES: Case[] = [
  { id: 'hevc', codec: 'h265', fourCc: 'hvc1', codedPacketType: 3, codecString: 'hvc1.1.6.L93.90', profile: 'Main', level: '3.1', width: 1280, height: 720, ffmpegCodec: 'hevc', extension: 'hevc' },
  { id: 'av1', codec: 'av1', fourCc: 'av01', codedPacketType: 1, codecString: 'av01.0.01M.08', profile: 'Main', level: '2.1', width: 640, height: 360, ffmpegCodec: 'av1', extension: 'ivf' },
];

/** Collects the bytes an HTTP-FLV viewer receives for `ms` milliseconds, then hangs up. */
async function recordHttpFlv(url: string, ms: number): Promise<Buffer> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('video/x-flv');
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('HTTP-FLV response has no body');
  const parts: Buffer[] = [];
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(Buffer.from(value));
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(parts);
}

/** Rewraps received frames in a file ffmpeg reads: Annex B with the hvcC's parameter sets first, or IVF. */
function decodableFile(c: Case, config: MediaFrame, frames: readonly MediaFrame[]): Buffer {
  if (c.codec === 'av1') return writeAv1Ivf(frames.map((f) => f.data), c.width, c.height, 30);
  const hvcC = parseHevcDecoderConfig(config.data);
  const units = frames.flatMap((f) => splitNalUnits(f.data, hvcC.nalLengthSize));
  return joinAnnexB([...hvcC.vps, ...hvcC.sps, ...hvcC.pps, ...units]);
}

describe('Enhanced RTMP: HEVC and AV1 with FourCC headers through RTMP, the API and HTTP-FLV', () => {
  let server: TestServer;
  let workDir: string;
  const clips = new Map<string, CodedClip>();
  const publishers = new Map<string, FramePublisher>();

  beforeAll(async () => {
    requireBinary('ffmpeg');
    requireBinary('ffprobe');
    workDir = await mkdtemp(join(tmpdir(), 'zenlive-ertmp-'));
    const [hevc, av1] = await Promise.all([makeHevcClip(), makeAv1Clip()]);
    clips.set('hevc', hevc).set('av1', av1);
    server = await startTestServer();
    for (const [id, clip] of clips) publishers.set(id, await publishCodedClip(server.rtmpUrl(id), clip));
    // joiners should land mid-stream: past the second keyframe (frame 30) of both streams
    await waitFor(() => [...publishers.values()].every((p) => p.framesSent > 40), 'both publishers past their second keyframe');
  });

  afterAll(async () => {
    await Promise.all([...publishers.values()].map((p) => p.stop()));
    await server?.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  function publisher(id: string): FramePublisher {
    const p = publishers.get(id);
    if (p === undefined) throw new Error(`no publisher ${id}`);
    return p;
  }

  it('the encoders made what the cases expect: a keyframe each second, the rest inter frames', () => {
    for (const c of CASES) {
      const clip = clips.get(c.id);
      expect([clip?.codec, clip?.width, clip?.height, clip?.frames.length]).toEqual([c.codec, c.width, c.height, 60]);
      expect(clip?.frames.flatMap((f, i) => (f.keyframe ? [i] : []))).toEqual([0, 30]);
    }
  });

  describe.each(CASES)('$codec ($fourCc)', (c) => {
    it('the API describes the track from the sequence start: codec, size, codec string, bitstream frame rate', async () => {
      const res = await fetch(server.httpUrl(`/api/v1/streams/${c.id}`));
      expect(res.status).toBe(200);
      const s = (await res.json()) as StreamInfo;
      expect(s.state).toBe('LIVE');
      expect(s.video).toEqual({ codec: c.codec, codecString: c.codecString, width: c.width, height: c.height, fps: 30, profile: c.profile, level: c.level });
      expect(s.audio).toBeNull();
      expect([s.width, s.height]).toEqual([c.width, c.height]);
      expect(s.fps).toBeCloseTo(30, 0);
      expect(s.publisher.protocol).toBe('rtmp');
    });

    it('an RTMP player joining mid-stream gets SequenceStart then a keyframe, bodies byte-identical to what was published', async () => {
      const pub = publisher(c.id);
      const player = await startRtmpPlayer(server.rtmpUrl(c.id));
      try {
        await waitFor(() => player.messages.filter((m) => m.typeId === 9).length >= 20, 'video messages');
      } finally {
        player.client.close();
      }
      const video = player.messages.filter((m) => m.typeId === 9);
      const [start, key] = video;
      if (start === undefined || key === undefined) throw new Error('no video received');
      const first = start.payload[0] ?? 0;
      expect(first & 0x80).toBe(0x80); // IsExHeader
      expect(first & 0x0f).toBe(0); // PacketType SequenceStart
      expect(start.payload.toString('latin1', 1, 5)).toBe(c.fourCc);
      expect(start.payload.equals(pub.configBody)).toBe(true);
      const keyFirst = key.payload[0] ?? 0;
      expect(keyFirst & 0x80).toBe(0x80);
      expect((keyFirst >> 4) & 0x07).toBe(1); // FrameType key
      expect(keyFirst & 0x0f).toBe(c.codedPacketType);
      expect(key.payload.toString('latin1', 1, 5)).toBe(c.fourCc);
      // mid-stream: the GOP cache starts it on a later keyframe, not the stream's first
      expect(key.timestamp).toBeGreaterThanOrEqual(1000);
      const coded = video.slice(1);
      expect(coded.filter((m) => !pub.sent.get(m.timestamp)?.equals(m.payload)).map((m) => m.timestamp)).toEqual([]);
      // and nothing was skipped between the keyframe and the live edge
      const gaps = coded.slice(1).filter((m, i) => m.timestamp - (coded[i]?.timestamp ?? 0) > 34);
      expect(gaps.map((m) => m.timestamp)).toEqual([]);
    });

    it('an HTTP-FLV viewer gets the config then a keyframe, and the frames it got decode with ffmpeg', async () => {
      const pub = publisher(c.id);
      const tags = flvTags(await recordHttpFlv(server.flvUrl(c.id), 1500)).filter((t) => t.type === 9);
      const frames = tags.map((t) => parseFlvVideoBody(t.body, t.timestamp)).filter((f): f is MediaFrame => f !== null);
      const [config, ...coded] = frames;
      if (config === undefined) throw new Error('no video tags received');
      expect(config).toMatchObject({ codec: c.codec, config: true });
      expect(coded[0]).toMatchObject({ codec: c.codec, config: false, keyframe: true });
      expect(coded.every((f) => f.codec === c.codec && !f.config)).toBe(true);
      expect(tags.slice(1).filter((t) => !pub.sent.get(t.timestamp)?.equals(t.body)).map((t) => t.timestamp)).toEqual([]);

      const file = join(workDir, `received.${c.extension}`);
      await writeFile(file, decodableFile(c, config, coded));
      const decoded = await run('timeout', ['-k', '2', '20', 'ffmpeg', '-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
      expect(decoded.stderr).toBe('');
      const [stream] = await probe(file, ['-count_frames', '-select_streams', 'v']);
      expect([stream?.codec_name, stream?.width, stream?.height]).toEqual([c.ffmpegCodec, c.width, c.height]);
      expect(coded.length).toBeGreaterThanOrEqual(20);
      expect(Number(stream?.nb_read_frames)).toBe(coded.length);
    });
  });
});
