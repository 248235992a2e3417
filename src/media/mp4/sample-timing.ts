import type { MediaFrame } from '../frame.js';
import { Mp4MuxError } from './errors.js';
import type { Mp4Track } from './tracks.js';

/** Decode time, durations and composition offsets of one track's run, in its timescale. */
export interface SampleTiming {
  /** tfdt baseMediaDecodeTime: the first sample's dts. */
  baseDecodeTime: number;
  durations: number[];
  /** pts − dts per sample, or null when every pts equals its dts (no ctts-like field needed). */
  compositionOffsets: number[] | null;
}

/**
 * Milliseconds to timescale ticks, rounded to the nearest tick. Whole seconds and the remainder are
 * converted apart so that no intermediate product leaves the exact range of a double: a stream
 * years long (dts far beyond 2^32 ms) still converts exactly.
 */
export function msToTicks(ms: number, timescale: number): number {
  const seconds = Math.floor(ms / 1000);
  return seconds * timescale + Math.round(((ms - seconds * 1000) * timescale) / 1000);
}

/**
 * Times the samples of one track's run. Video durations are the differences of consecutive decode
 * times converted to ticks (so rounding never accumulates) and the last one comes from `nextDts`
 * or repeats the one before it.
 *
 * Audio is different: an AAC frame always decodes to exactly 1024 samples (2048 with SBR), and
 * RTMP's millisecond timestamps of 23.2 ms frames jitter by ±1 ms, so durations taken from them
 * would wobble between 1014 and 1058 ticks while the decoder outputs 1024, and players would pad
 * or trim audio at every wobble. So each audio sample gets its nominal duration (1024 for AAC,
 * the TOC-derived length for Opus), and tfdt is re-anchored on the first frame's own timestamp in
 * every fragment, so any drift between the sample clock and the timestamps is reset at each
 * fragment instead of accumulating. Within a run, a sample whose nominal end lands more than half a
 * frame away from the next frame's timestamp takes the measured duration instead: that is a real
 * gap (dropped frames, a paused encoder), not jitter, and later samples keep their true times.
 */
export function sampleTiming(track: Mp4Track, frames: readonly MediaFrame[], nextDts?: number): SampleTiming {
  const first = frames[0];
  if (first === undefined) throw new Mp4MuxError(`track ${track.id}: no samples`);
  const ticks = frames.map((f) => msToTicks(f.dts, track.timescale));
  const baseDecodeTime = ticks[0] ?? 0;
  if (baseDecodeTime < 0) throw new Mp4MuxError(`track ${track.id}: negative decode time ${first.dts} ms`);
  const nextTicks = nextDts === undefined ? undefined : msToTicks(nextDts, track.timescale);
  const durations = track.kind === 'video' ? videoDurations(track, ticks, nextTicks) : audioDurations(track, frames, ticks, nextTicks);
  let compositionOffsets: number[] | null = null;
  if (frames.some((f) => f.pts !== f.dts)) {
    compositionOffsets = frames.map((f, i) => msToTicks(f.pts, track.timescale) - (ticks[i] ?? 0));
  }
  return { baseDecodeTime, durations, compositionOffsets };
}

function videoDurations(track: Mp4Track, ticks: readonly number[], nextTicks: number | undefined): number[] {
  const durations: number[] = [];
  for (let i = 0; i < ticks.length; i++) {
    const next = i + 1 < ticks.length ? ticks[i + 1] : nextTicks;
    const here = ticks[i] ?? 0;
    // a decode time going backwards (a broken encoder) cannot be expressed: clamp to 0
    if (next !== undefined) durations.push(Math.max(0, next - here));
    else durations.push(durations[i - 1] ?? track.frameDuration);
  }
  return durations;
}

function audioDurations(track: Mp4Track, frames: readonly MediaFrame[], ticks: readonly number[], nextTicks: number | undefined): number[] {
  const durations: number[] = [];
  let time = ticks[0] ?? 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    const nominal = (track.codec === 'opus' && frame && opusPacketTicks(frame.data, track.timescale)) || track.frameDuration;
    const target = i + 1 < ticks.length ? ticks[i + 1] : nextTicks;
    let duration = nominal;
    if (target !== undefined && Math.abs(target - (time + nominal)) > nominal / 2) duration = Math.max(0, target - time);
    durations.push(duration);
    time += duration;
  }
  return durations;
}

// RFC 6716 §3.1: frame sizes in 48 kHz samples for TOC configs 0-31 (SILK, Hybrid, CELT)
const OPUS_FRAME_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, // SILK NB/MB/WB 10/20/40/60 ms
  480, 960, 480, 960, // Hybrid SWB/FB 10/20 ms
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, // CELT 2.5/5/10/20 ms
];

/**
 * Duration of an Opus packet from its TOC byte (RFC 6716 §3.1), in `timescale` ticks; undefined
 * for a packet too short to say or longer than the 120 ms a packet may hold (§3.2.5).
 */
export function opusPacketTicks(packet: Buffer, timescale: number): number | undefined {
  const toc = packet[0];
  if (toc === undefined) return undefined;
  const frameSamples = OPUS_FRAME_SAMPLES[toc >> 3] ?? 0;
  const code = toc & 0x03;
  // code 0: one frame; 1 and 2: two frames; 3: the count is in the low 6 bits of the next byte
  const count = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  const samples = frameSamples * count;
  if (samples === 0 || samples > 5760) return undefined;
  return Math.round((samples * timescale) / 48_000);
}
