import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAudioSpecificConfig } from '../aac/index.js';
import { joinNalUnits } from '../avc/index.js';
import type { MediaFrame } from '../frame.js';
import { checkTransportStream } from './ts-checker.js';
import { TS_PACKET_SIZE, TsPid } from './ts-constants.js';
import { TsMuxer } from './ts-muxer.js';

const AVCC = Buffer.from('0164001fffe10006' + '6764001facd9' + '010004' + '68ebe3cb', 'hex');
const ASC = buildAudioSpecificConfig({ objectType: 2, sampleRate: 44100, channels: 2 });

interface Step {
  kind: 'video' | 'audio';
  /** Milliseconds from the previous frame's DTS (may be negative or huge in the jumpy runs). */
  step: number;
  cts: number;
  keyframe: boolean;
  size: number;
  newSegment: boolean;
}

const stepArb = (stepRange: { min: number; max: number }): fc.Arbitrary<Step> =>
  fc.record({
    kind: fc.constantFrom('video' as const, 'audio' as const),
    step: fc.oneof(fc.integer(stepRange), fc.constant(0)),
    cts: fc.integer({ min: 0, max: 200 }),
    keyframe: fc.boolean(),
    size: fc.integer({ min: 0, max: 5000 }),
    newSegment: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  });

const WRAP_MS = Math.floor(2 ** 33 / 90);
/** Anywhere on a 53-hour clock, often just before the 33-bit wrap of the 90 kHz clock. */
const startArb = (min: number): fc.Arbitrary<number> =>
  fc.oneof(fc.integer({ min, max: 2 * WRAP_MS }), fc.integer({ min: WRAP_MS - 3000, max: WRAP_MS + 100 }));

/** Turns steps into frames (config first) and muxes them, segments starting where the steps say. */
function muxSteps(steps: readonly Step[], start: number, learn: boolean): { ts: Buffer; videoFrames: number } {
  const muxer = learn ? new TsMuxer() : new TsMuxer({ video: 'h264', audio: 'aac' });
  const config = (kind: 'video' | 'audio'): MediaFrame => ({
    kind, codec: kind === 'video' ? 'h264' : 'aac', dts: start, pts: start, keyframe: false, config: true, data: kind === 'video' ? AVCC : ASC,
  });
  const parts: Buffer[] = [muxer.segmentStart(), muxer.writeFrame(config('video')), muxer.writeFrame(config('audio'))];
  let dts = start;
  let videoFrames = 0;
  for (const s of steps) {
    dts += s.step;
    if (s.newSegment) parts.push(muxer.flush(), muxer.segmentStart());
    if (s.kind === 'video') {
      // one or two NAL units of filler making up the size, the first byte a slice header
      const body = Buffer.alloc(Math.max(0, s.size - 8), 0xab);
      const nals = s.size < 8 ? [] : [Buffer.concat([Buffer.from([s.keyframe ? 0x65 : 0x41]), body.subarray(0, body.length >> 1)]), body.subarray(body.length >> 1)];
      const data = joinNalUnits(nals);
      if (data.length > 0) videoFrames++;
      parts.push(muxer.writeFrame({ kind: 'video', codec: 'h264', dts, pts: dts + s.cts, keyframe: s.keyframe, config: false, data }));
    } else {
      parts.push(muxer.writeFrame({ kind: 'audio', codec: 'aac', dts, pts: dts, keyframe: false, config: false, data: Buffer.alloc(s.size, 0x21) }));
    }
  }
  parts.push(muxer.flush());
  return { ts: Buffer.concat(parts), videoFrames };
}

describe('TsMuxer on random frame sequences', () => {
  it('monotonic timestamps: 188-aligned output the checker finds nothing wrong with', () => {
    fc.assert(
      fc.property(fc.array(stepArb({ min: 0, max: 150 }), { maxLength: 40 }), fc.boolean(), startArb(0), (steps, learn, start) => {
        const { ts, videoFrames } = muxSteps(steps, start, learn);
        expect(ts.length % TS_PACKET_SIZE).toBe(0);
        const report = checkTransportStream(ts);
        expect(report.problems).toEqual([]);
        expect(report.pesPerPid.get(TsPid.Video) ?? 0).toBe(videoFrames);
      }),
      { numRuns: 150 },
    );
  });

  it('jumpy timestamps (back, forward, across the 33-bit wrap): still aligned, no continuity or PCR problems', () => {
    fc.assert(
      fc.property(fc.array(stepArb({ min: -5000, max: 5000 }), { maxLength: 40 }), fc.boolean(), startArb(-1000), (steps, learn, start) => {
        const { ts } = muxSteps(steps, start, learn);
        expect(ts.length % TS_PACKET_SIZE).toBe(0);
        expect(checkTransportStream(ts).problems.filter((p) => p.kind !== 'timestamp')).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
