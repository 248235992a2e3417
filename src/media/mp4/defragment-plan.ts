import { Mp4MuxError } from './errors.js';
import type { FragmentSample, InitTrack, TrackRun } from './fragment-index.js';
import type { ProgressiveTrack } from './progressive-header.js';

/** Absolute offsets of one complete mdat payload in the fragmented file: [start, end). */
export interface PayloadRange {
  start: number;
  end: number;
}

/** How to turn a fragmented MP4 into a progressive one: the new tables, and which bytes to copy after the header. */
export interface DefragmentPlan {
  tracks: ProgressiveTrack[];
  /** mdat payloads to copy, in this order, right after `buildProgressiveHeader(tracks, payloadBytes)`. */
  copies: PayloadRange[];
  payloadBytes: number;
}

/**
 * Plans the conversion of a fragmented MP4 (init tracks, every moof's runs, every complete mdat
 * payload, all in file order) into a progressive MP4 whose mdat is those payloads back to back.
 * A run whose bytes are not all inside one complete mdat (a file cut mid-fragment) is left out.
 * Each run's last sample is stretched or shrunk to meet the next run's decode time, so timing
 * rounded per fragment (nominal audio durations) does not drift in the single timeline.
 */
export function planDefragment(init: readonly InitTrack[], runs: readonly TrackRun[], payloads: readonly PayloadRange[]): DefragmentPlan {
  const before: number[] = [];
  let payloadBytes = 0;
  for (const p of payloads) {
    if (p.end < p.start) throw new Mp4MuxError(`payload range ${p.start}-${p.end} is reversed`);
    before.push(payloadBytes);
    payloadBytes += p.end - p.start;
  }
  const relative = (offset: number, bytes: number): number | undefined => {
    const i = payloads.findIndex((p) => p.start <= offset && offset + bytes <= p.end);
    return i < 0 ? undefined : (before[i] ?? 0) + offset - (payloads[i]?.start ?? 0);
  };
  const byTrack = new Map<number, { runs: TrackRun[]; offsets: number[] }>();
  for (const run of runs) {
    if (run.samples.length === 0) continue;
    const bytes = run.samples.reduce((t, s) => t + s.size, 0);
    const offset = relative(run.dataOffset, bytes);
    if (offset === undefined) continue;
    let entry = byTrack.get(run.trackId);
    if (entry === undefined) byTrack.set(run.trackId, (entry = { runs: [], offsets: [] }));
    entry.runs.push(run);
    entry.offsets.push(offset);
  }
  const tracks: ProgressiveTrack[] = [];
  for (const info of init) {
    const entry = byTrack.get(info.id);
    if (entry === undefined) continue;
    const samples: FragmentSample[] = [];
    entry.runs.forEach((run, k) => {
      const copy = run.samples.map((s) => ({ ...s }));
      const next = entry.runs[k + 1];
      const last = copy[copy.length - 1];
      if (next !== undefined && last !== undefined) {
        const end = run.baseDecodeTime + copy.reduce((t, s) => t + s.duration, 0);
        const adjusted = last.duration + next.baseDecodeTime - end;
        if (adjusted >= 0) last.duration = adjusted;
      }
      samples.push(...copy);
    });
    const chunks = entry.runs.map((run, k) => ({ offset: entry.offsets[k] ?? 0, count: run.samples.length }));
    tracks.push({ info, samples, chunks, startTicks: entry.runs[0]?.baseDecodeTime ?? 0 });
  }
  return { tracks, copies: [...payloads], payloadBytes };
}
