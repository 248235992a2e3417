import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AvcNalType, packetizeH264, splitAnnexB } from '../../src/media/index.js';
import { ensureDir, WORK } from '../lib/paths.js';
import { run } from '../lib/procs.js';

/** Frame rate of the clip; RTP timestamps advance by 90000 / FPS per frame. */
export const CLIP_FPS = 30;
/** RTP ticks (90 kHz) between frames. */
export const TICKS_PER_FRAME = 90_000 / CLIP_FPS;

/** What a result records about the clip the publisher loops. */
export interface H264ClipInfo {
  path: string;
  seconds: number;
  video_kbps: number;
  /** Bitrate of the elementary stream as written (what goes on the wire, before RTP/SRTP overhead). */
  measured_kbps: number;
  frames: number;
  /** RTP packets one loop of the clip makes at the packetizer's payload size. */
  packets_per_loop: number;
  max_payload_bytes: number;
}

/** One access unit, packetized once and shared by every sender. */
export interface ClipFrame {
  keyframe: boolean;
  /** RTP payloads in order; the last carries the marker bit. */
  payloads: Buffer[];
  bytes: number;
}

/** How ensureH264Clip encodes; the defaults are the benchmark's clip. */
export interface H264ClipOptions {
  seconds?: number;
  videoKbps?: number;
  size?: string;
  /** Where the clip is cached. */
  dir?: string;
}

/**
 * Generates (once, cached in bench/.work) a raw H.264 Annex B clip: 720p30 testsrc2, `videoKbps`
 * with a capped VBV, 2 s GOP, no B-frames, an access unit delimiter before every frame so the
 * stream splits into access units without parsing slice headers.
 */
export async function ensureH264Clip(o: H264ClipOptions = {}): Promise<string> {
  const { seconds = 30, videoKbps = 1500, size = '1280x720', dir = WORK } = o;
  const path = join(ensureDir(dir), `clip-${seconds}s-${videoKbps}k-${size}.h264`);
  if (existsSync(path)) return path;
  const tmp = `${path}.part`;
  process.stderr.write(`clip: generating ${path}\n`);
  // prettier-ignore
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${CLIP_FPS}`, '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', `${videoKbps}k`, '-maxrate', `${videoKbps}k`, '-bufsize', `${videoKbps * 2}k`,
    '-bf', '0', '-g', String(2 * CLIP_FPS), '-keyint_min', String(2 * CLIP_FPS), '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', tmp]);
  renameSync(tmp, path);
  return path;
}

/**
 * Splits an Annex B stream into access units at its delimiters; the delimiters themselves are
 * dropped, as ZenLive drops them on ingest (so our packets and the server's match one for one).
 */
export function accessUnits(stream: Buffer): Buffer[][] {
  const units: Buffer[][] = [];
  let current: Buffer[] = [];
  for (const nal of splitAnnexB(stream)) {
    if (((nal[0] as number) & 0x1f) === AvcNalType.AccessUnitDelimiter) {
      if (current.length > 0) units.push(current);
      current = [];
    } else current.push(nal);
  }
  if (current.length > 0) units.push(current);
  return units;
}

/** Reads the clip and packetizes every access unit with our RTP packetizer (src/media/rtp). */
export function loadClip(path: string, maxPayloadBytes: number): ClipFrame[] {
  return accessUnits(readFileSync(path)).map((nals) => {
    const payloads = packetizeH264(nals, maxPayloadBytes);
    return {
      keyframe: nals.some((n) => ((n[0] as number) & 0x1f) === AvcNalType.IdrSlice),
      payloads,
      bytes: payloads.reduce((s, p) => s + p.length, 0),
    };
  });
}

/** The result's description of a loaded clip. */
export function describeClip(path: string, seconds: number, videoKbps: number, frames: readonly ClipFrame[], maxPayloadBytes: number): H264ClipInfo {
  return {
    path,
    seconds,
    video_kbps: videoKbps,
    measured_kbps: Math.round((statSync(path).size * 8) / (frames.length / CLIP_FPS) / 1000),
    frames: frames.length,
    packets_per_loop: frames.reduce((s, f) => s + f.payloads.length, 0),
    max_payload_bytes: maxPayloadBytes,
  };
}
