import type { MediaFrame } from '../frame.js';
import { type BoxWriter, encodeBoxes } from './box-writer.js';
import { Mp4MuxError } from './errors.js';
import { sampleTiming, type SampleTiming } from './sample-timing.js';
import type { Mp4Track } from './tracks.js';

/** One track's samples in a fragment. */
export interface FragmentRun {
  track: Mp4Track;
  /** Frames in decode order; configuration frames are skipped (they live in the init segment). */
  frames: readonly MediaFrame[];
  /** dts (ms) of the frame after the last one, when known: it gives the last video sample its exact duration. */
  nextDts?: number;
}

/** Options of buildFragment. */
export interface FragmentOptions {
  /**
   * Brands of a leading styp box (§8.16.2), e.g. `['msdh', 'msix']` for DASH or CMAF's
   * `['cmfs', 'cmff']`; no styp by default (HLS does not need one).
   */
  styp?: readonly string[];
}

// §8.8.7.1 tfhd flags
const DEFAULT_SAMPLE_FLAGS_PRESENT = 0x000020;
const DEFAULT_BASE_IS_MOOF = 0x020000;
// §8.8.8.1 trun flags
const DATA_OFFSET_PRESENT = 0x000001;
const SAMPLE_DURATION_PRESENT = 0x000100;
const SAMPLE_SIZE_PRESENT = 0x000200;
const SAMPLE_FLAGS_PRESENT = 0x000400;
const SAMPLE_COMPOSITION_OFFSETS_PRESENT = 0x000800;
// §8.8.3.1 sample flags: sample_depends_on (bits 24-25) and sample_is_non_sync_sample (bit 16)
const SYNC_SAMPLE = 0x02000000; // depends on no other sample
const NON_SYNC_SAMPLE = 0x01010000; // depends on others, not a sync sample

interface PreparedRun {
  track: Mp4Track;
  samples: MediaFrame[];
  timing: SampleTiming;
  bytes: number;
}

/**
 * Builds one movie fragment (moof + mdat) holding each run's samples, written into a single
 * Buffer; `sequenceNumber` is mfhd's, starting at 1 and increasing by one per fragment of the
 * stream. Throws Mp4MuxError when no run has a sample or a value does not fit its field.
 */
export function buildFragment(sequenceNumber: number, parts: readonly FragmentRun[], options: FragmentOptions = {}): Buffer {
  if (!Number.isInteger(sequenceNumber) || sequenceNumber < 0 || sequenceNumber > 0xffffffff) {
    throw new Mp4MuxError(`sequence number ${sequenceNumber} out of range`);
  }
  const runs = prepareRuns(parts);
  if (runs.length === 0) throw new Mp4MuxError('a fragment needs at least one sample');
  const payload = runs.reduce((sum, run) => sum + run.bytes, 0);
  if (payload > 0xffffffff - 8) throw new Mp4MuxError(`mdat of ${payload} bytes needs a 64-bit size`);
  return encodeBoxes((w) => {
    if (options.styp && options.styp.length > 0) writeStyp(w, options.styp);
    const moofStart = w.pos;
    const dataOffsetAt: number[] = [];
    w.box('moof', () => {
      w.fullBox('mfhd', 0, 0, () => w.u32(sequenceNumber));
      for (const run of runs) dataOffsetAt.push(writeTraf(w, run));
    });
    // §8.8.8.3: with default-base-is-moof each data_offset counts from the first byte of the moof
    let offset = w.pos - moofStart + 8;
    runs.forEach((run, i) => {
      w.patchI32(dataOffsetAt[i] ?? 0, offset);
      offset += run.bytes;
    });
    w.u32(8 + payload).fourcc('mdat');
    for (const run of runs) for (const sample of run.samples) w.bytes(sample.data);
  });
}

/**
 * True when a player can start decoding at this fragment: every video run begins with a keyframe
 * (what an LL-HLS part announces with INDEPENDENT=YES). Audio-only fragments always are.
 */
export function isIndependentFragment(parts: readonly FragmentRun[]): boolean {
  return parts.every((part) => {
    if (part.track.kind !== 'video') return true;
    const first = part.frames.find((f) => !f.config);
    return first === undefined || first.keyframe;
  });
}

function prepareRuns(parts: readonly FragmentRun[]): PreparedRun[] {
  const runs: PreparedRun[] = [];
  for (const { track, frames, nextDts } of parts) {
    const samples = frames.filter((f) => !f.config);
    if (samples.length === 0) continue;
    const timing = sampleTiming(track, samples, nextDts);
    for (const d of timing.durations) {
      if (d > 0xffffffff) throw new Mp4MuxError(`track ${track.id}: sample duration ${d} does not fit 32 bits`);
    }
    for (const c of timing.compositionOffsets ?? []) {
      if (c < -0x80000000 || c > 0x7fffffff) throw new Mp4MuxError(`track ${track.id}: composition offset ${c} does not fit 32 bits`);
    }
    runs.push({ track, samples, timing, bytes: samples.reduce((sum, f) => sum + f.data.length, 0) });
  }
  return runs;
}

function writeStyp(w: BoxWriter, brands: readonly string[]): void {
  w.box('styp', () => {
    w.fourcc(brands[0] ?? 'iso6').u32(0);
    for (const brand of brands) w.fourcc(brand);
  });
}

/** Writes a traf and returns where its trun's data_offset sits, to be patched once the moof size is known. */
function writeTraf(w: BoxWriter, run: PreparedRun): number {
  const { track, samples, timing } = run;
  // audio samples are all sync samples: one default in tfhd instead of 4 bytes per sample
  const perSampleFlags = track.kind === 'video';
  const offsets = timing.compositionOffsets;
  let dataOffsetAt = 0;
  w.box('traf', () => {
    const tfhdFlags = DEFAULT_BASE_IS_MOOF | (perSampleFlags ? 0 : DEFAULT_SAMPLE_FLAGS_PRESENT);
    w.fullBox('tfhd', 0, tfhdFlags, () => {
      w.u32(track.id);
      if (!perSampleFlags) w.u32(SYNC_SAMPLE);
    });
    // §8.8.12: version 1 for a 64-bit baseMediaDecodeTime; at 90 kHz 32 bits wrap after 13 hours
    w.fullBox('tfdt', 1, 0, () => w.u64(timing.baseDecodeTime));
    const trunFlags =
      DATA_OFFSET_PRESENT |
      SAMPLE_DURATION_PRESENT |
      SAMPLE_SIZE_PRESENT |
      (perSampleFlags ? SAMPLE_FLAGS_PRESENT : 0) |
      (offsets ? SAMPLE_COMPOSITION_OFFSETS_PRESENT : 0);
    // §8.8.8.2: version 1 makes the composition offsets signed, so a frame shown before its
    // decode time (pts < dts after a timestamp fix-up) is still expressible
    w.fullBox('trun', offsets ? 1 : 0, trunFlags, () => {
      w.u32(samples.length);
      dataOffsetAt = w.pos;
      w.i32(0);
      samples.forEach((sample, i) => {
        w.u32(timing.durations[i] ?? 0).u32(sample.data.length);
        if (perSampleFlags) w.u32(sample.keyframe ? SYNC_SAMPLE : NON_SYNC_SAMPLE);
        if (offsets) w.i32(offsets[i] ?? 0);
      });
    });
  });
  return dataOffsetAt;
}
