import { TICKS_PER_MS } from './ts-constants.js';

/** The PCRs to write before and with one PES. */
export interface PcrPlan {
  /** PCR-only packets to put on the PCR PID first, so no two PCRs are more than 100 ms apart. */
  fill: number[];
  /** The PCR for this PES (its first packet on the PCR PID, else one more PCR-only packet); none if not due. */
  pcr?: number;
  /** The PCR starts a new time base (§2.4.3.5 discontinuity_indicator): the timestamps jumped. */
  discontinuity: boolean;
}

// §2.7.2: PCRs at most 0.1 s apart
const MAX_GAP = 100 * TICKS_PER_MS;
// Other PIDs add a PCR-only packet when the PCR PID has been quiet this long (slow or late video)
const QUIET = 60 * TICKS_PER_MS;
// A larger step is a timeline jump (republish, encoder restart), not a gap worth filling
const JUMP = 1000 * TICKS_PER_MS;

/**
 * Derives PCRs from decode timestamps (PCR = DTS - delay, in unwrapped 90 kHz ticks): never
 * backwards, never more than 100 ms apart, and flagged as a discontinuity when the timeline jumps.
 */
export class PcrClock {
  private last: number | undefined;

  constructor(private readonly delayTicks = 0) {}

  /** Plans the PCRs for a PES whose first access unit decodes at `dts` ticks. */
  plan(dts: number, onPcrPid: boolean): PcrPlan {
    const target = dts - this.delayTicks;
    const last = this.last;
    if (last === undefined) return this.emit(target, [], false);
    if (Math.abs(target - last) > JUMP) {
      // only the PCR PID's own timestamps restart the clock: audio running far ahead of stalled
      // video must not flip the time base back and forth
      return onPcrPid ? this.emit(target, [], true) : { fill: [], discontinuity: false };
    }
    // interleaving skew (audio a little ahead of video) must not make the PCR go backwards
    const pcr = Math.max(target, last);
    if (!onPcrPid && pcr - last < QUIET) return { fill: [], discontinuity: false };
    const fill: number[] = [];
    for (let at = last + MAX_GAP; at < pcr; at += MAX_GAP) fill.push(at);
    return this.emit(pcr, fill, false);
  }

  private emit(pcr: number, fill: number[], discontinuity: boolean): PcrPlan {
    this.last = pcr;
    return { fill, pcr, discontinuity };
  }
}
