import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, WORK } from './paths.js';
import { run } from './procs.js';

/** What a result file records about the clip every publisher loops. */
export interface ClipInfo {
  path: string;
  seconds: number;
  video_kbps: number;
  total_kbps: number;
  bytes: number;
  b_frames: boolean;
}

/**
 * Generates (once, cached in bench/.work) the clip from TEST-PEERS.md: 720p30 testsrc2 in H.264
 * with a 2 s GOP, no B-frames, AAC 128k. Every server in a run is fed the same bytes.
 */
export async function ensureClip(seconds = 30, videoKbps = 2500): Promise<ClipInfo> {
  const dir = ensureDir(WORK);
  const path = join(dir, `clip-${seconds}s-${videoKbps}k.flv`);
  if (!existsSync(path)) {
    const tmp = `${path}.part.flv`;
    process.stderr.write(`clip: generating ${path}\n`);
    // prettier-ignore
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', String(seconds),
      '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', `${videoKbps}k`, '-bf', '0',
      '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', tmp]);
    renameSync(tmp, path);
  }
  const bytes = statSync(path).size;
  return { path, seconds, video_kbps: videoKbps, total_kbps: Math.round((bytes * 8) / seconds / 1000), bytes, b_frames: false };
}
