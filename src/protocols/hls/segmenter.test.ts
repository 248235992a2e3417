import { describe, expect, it } from 'vitest';
import type { AudioTrackInfo, MediaFrame, VideoTrackInfo } from '../../media/index.js';
import type { SegmentMuxer, TrackSet } from './segment-muxer.js';
import { Segmenter, type CutPart } from './segmenter.js';

const videoInfo: VideoTrackInfo = { codec: 'h264', codecString: 'avc1.64001f', width: 1280, height: 720 };
const audioInfo: AudioTrackInfo = { codec: 'aac', codecString: 'mp4a.40.2', sampleRate: 44100, channels: 2 };

function frame(kind: 'video' | 'audio', dts: number, keyframe = false, config = false, data = Buffer.alloc(10)): MediaFrame {
  return { kind, codec: kind === 'video' ? 'h264' : 'aac', dts, pts: dts, keyframe, config, data };
}

/** A muxer that records which frames each part got, as "V0k A23 ...". */
function recordingSegmenter(partTargetMs: number): { seg: Segmenter; parts: Array<CutPart & { frames: string }> } {
  const parts: Array<CutPart & { frames: string }> = [];
  let lastFrames = '';
  const muxer: SegmentMuxer = {
    container: 'fmp4',
    extension: 'm4s',
    init: Buffer.from('i'),
    codecs: '',
    mux: (frames) => {
      lastFrames = frames.map((f) => `${f.kind === 'video' ? 'V' : 'A'}${f.dts}${f.keyframe ? 'k' : ''}`).join(' ');
      return Buffer.from(lastFrames);
    },
  };
  const seg = new Segmenter({ targetDurationMs: 2000, partTargetMs }, (_t: TrackSet) => muxer, (c) =>
    c.kind === 'video' ? { config: c, info: videoInfo } : ({ config: c, info: audioInfo } as TrackSet['audio']),
  );
  seg.on('part', (p) => parts.push({ ...p, frames: lastFrames }));
  return { seg, parts };
}

/** 30 fps video with a keyframe every `gopMs`, and AAC every ~23 ms, for `ms`. */
function feed(seg: Segmenter, ms: number, gopMs = 2000): void {
  seg.push(frame('video', 0, false, true));
  seg.push(frame('audio', 0, false, true));
  let a = 0;
  for (let v = 0; v <= ms; v += 100 / 3) {
    const dts = Math.round(v);
    while (a <= dts) {
      seg.push(frame('audio', Math.round(a)));
      a += 1024000 / 44100;
    }
    seg.push(frame('video', dts, dts % gopMs === 0));
  }
}

describe('Segmenter', () => {
  it('starts on the first keyframe, cuts segments on keyframes at the target, parts within the part target', () => {
    const { seg, parts } = recordingSegmenter(300);
    seg.push(frame('video', 0, false, true));
    seg.push(frame('audio', 0, false, true));
    seg.push(frame('audio', 0));
    seg.push(frame('video', 5, false));
    feed(seg, 6100);
    const segmentStarts = parts.filter((p) => p.segmentStart);
    expect(segmentStarts.length).toBe(3);
    for (const s of segmentStarts) {
      expect(s.frames.startsWith('V')).toBe(true);
      expect(s.frames.split(' ')[0]).toMatch(/k$/);
      expect(s.independent).toBe(true);
    }
    for (const p of parts) expect(p.durationMs).toBeLessThanOrEqual(300);
    // Segment durations are the GOP: 2000 ms.
    let segMs = 0;
    const segDurations: number[] = [];
    for (const p of parts) {
      if (p.segmentStart && segMs > 0) {
        segDurations.push(segMs);
        segMs = 0;
      }
      segMs += p.durationMs;
    }
    expect(segDurations).toEqual([2000, 2000]);
  });

  it('cuts a part as soon as the frame that fills it arrives, not when the next frame turns up', () => {
    const { seg, parts } = recordingSegmenter(300);
    seg.push(frame('video', 0, false, true));
    let ends = 0;
    seg.on('segmentEnd', () => ends++);
    // 30 fps video only: a 300 ms part holds eight frames (0..233 ms); it is out when the eighth is in.
    for (let i = 0; i < 8; i++) {
      expect(parts).toHaveLength(0);
      seg.push(frame('video', Math.round((i * 100) / 3), i === 0));
    }
    expect(parts).toHaveLength(1);
    expect(parts[0]?.frames.split(' ')).toHaveLength(8);
    expect(parts[0]?.durationMs).toBeLessThanOrEqual(300);
    // A 64-frame GOP is eight whole parts: the last one is out before the next keyframe, which then
    // completes the segment at once without a part of its own.
    for (let i = 8; i < 64; i++) seg.push(frame('video', Math.round((i * 100) / 3), false));
    expect(parts).toHaveLength(8);
    expect(parts[7]?.segmentEnd).toBe(false);
    seg.push(frame('video', 2133, true));
    expect(ends).toBe(1);
    expect(parts).toHaveLength(8);
    expect(parts.reduce((sum, p) => sum + p.durationMs, 0)).toBe(2133);
    for (let i = 65; i < 73; i++) seg.push(frame('video', Math.round((i * 100) / 3), false));
    expect(parts[8]?.segmentStart).toBe(true);
    expect(parts[8]?.frames.startsWith('V2133k')).toBe(true);
  });

  it('without parts makes one part per segment (plain HLS)', () => {
    const { seg, parts } = recordingSegmenter(0);
    feed(seg, 4100);
    expect(parts.every((p) => p.segmentStart)).toBe(true);
    expect(parts.map((p) => p.durationMs)).toEqual([2000, 2000]);
  });

  it('keeps long GOPs whole: no segment starts without a keyframe', () => {
    const { seg, parts } = recordingSegmenter(300);
    feed(seg, 8100, 4000);
    const starts = parts.filter((p) => p.segmentStart);
    expect(starts).toHaveLength(2);
    for (const s of starts) expect(s.frames.split(' ')[0]).toMatch(/^V\d+k$/);
  });

  it('restarts with a discontinuity when the sequence header changes mid-stream', () => {
    const { seg, parts } = recordingSegmenter(300);
    feed(seg, 2100);
    seg.push(frame('video', 2200, false, true, Buffer.from('new sps')));
    seg.push(frame('video', 2233, false));
    seg.push(frame('video', 2266, true));
    for (let t = 2300; t < 2800; t += 33) seg.push(frame('video', t, false));
    const after = parts.filter((p) => p.discontinuity);
    expect(after).toHaveLength(1);
    expect(after[0]?.frames.startsWith('V2266k')).toBe(true);
  });

  it('segments an audio-only stream once it is clear no video is coming', () => {
    const { seg, parts } = recordingSegmenter(300);
    seg.push(frame('audio', 0, false, true));
    for (let t = 0; t < 5000; t += 23) seg.push(frame('audio', t));
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.every((p) => p.independent)).toBe(true);
  });
});
