import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { H264Depacketizer, splitAnnexB } from '../../src/media/index.js';
import { accessUnits, ensureH264Clip, loadClip, TICKS_PER_FRAME } from './h264-clip.js';

const dir = mkdtempSync(join(tmpdir(), 'webrtc-clip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the benchmark clip (ffmpeg at test time, small)', () => {
  it('splits into one access unit per frame with a keyframe every 2 s, and our packets depacketize back to the same NAL units', async () => {
    const path = await ensureH264Clip({ seconds: 3, videoKbps: 300, size: '320x240', dir });
    const units = accessUnits(readFileSync(path));
    expect(units).toHaveLength(90);
    const frames = loadClip(path, 1150);
    expect(frames.flatMap((f, i) => (f.keyframe ? [i] : []))).toEqual([0, 60]);
    // x264 repeats SPS/PPS before every IDR in a raw stream: viewers joining at a keyframe need them
    expect(units[60]?.map((n) => (n[0] as number) & 0x1f).slice(0, 2)).toEqual([7, 8]);
    expect(splitAnnexB(readFileSync(path)).some((n) => ((n[0] as number) & 0x1f) === 9)).toBe(true);
    expect(units.flat().some((n) => ((n[0] as number) & 0x1f) === 9)).toBe(false);

    const depacketizer = new H264Depacketizer();
    let seq = 0;
    const rebuilt = frames.flatMap((f, n) =>
      f.payloads.flatMap((payload, i) => depacketizer.push({ sequenceNumber: seq++ & 0xffff, timestamp: n * TICKS_PER_FRAME, marker: i === f.payloads.length - 1, payload })),
    );
    expect(rebuilt).toHaveLength(90);
    rebuilt.forEach((u, i) => {
      expect(u.complete).toBe(true);
      expect(Buffer.concat(u.nalUnits).equals(Buffer.concat(units[i] as Buffer[]))).toBe(true);
    });
    for (const f of frames) expect(Math.max(...f.payloads.map((p) => p.length))).toBeLessThanOrEqual(1150);
  });
});
