import { RateWindow } from './rate-window.js';
import type { TransportFeedback } from './transport-feedback.js';

/** Tunables of a SendSideEstimator; every default is the one in the comment. */
export interface SendSideEstimatorOptions {
  /** Queuing delay above the path's baseline that means its queue is growing (25 ms). */
  overuseDelayMs?: number;
  /** How long the delay must stay above that before we call it overuse, so one keyframe burst is not (100 ms). */
  overuseHoldMs?: number;
  /** The estimate after overuse, as a share of what got through (0.85). */
  decrease?: number;
  /** Least time between two decreases: the first one needs a round trip to show (300 ms). */
  decreaseIntervalMs?: number;
  /** Growth of the estimate per second while the path is quiet (1.08). */
  increasePerSecond?: number;
  /** Quiet time after the last decrease after which the estimate stops limiting, so layers may probe up (3000 ms). */
  releaseMs?: number;
}

// transport-wide sequence numbers remembered: several seconds of a subscriber's packets
const RING = 8192;
const MASK = RING - 1;
const RECEIVED = 2;
const LOST = 1;
// the path's baseline delay is the least one-way delay seen over the last two of these windows
const BASELINE_WINDOW_MS = 5000;
// packets reported before a loss fraction is told (a few packets say nothing)
const MIN_LOSS_SAMPLE = 10;

/**
 * A send-side bandwidth estimate for one subscriber from transport-wide CC feedback: every packet
 * we send gets a transport-wide sequence number (`stamp`), the receiver reports when each arrived,
 * and a queuing delay that keeps growing above the path's baseline means we send more than the
 * path carries: the estimate drops to a share of what got through. While the path stays quiet the
 * estimate grows, and after `releaseMs` it stops limiting (the layer controller probes up and
 * backs off on its own when the probe shows loss or delay again).
 *
 * Driven only by the `nowMs` passed in; stamping a packet writes typed arrays and never allocates.
 */
export class SendSideEstimator {
  private readonly sentAt = new Float64Array(RING);
  private readonly sentSize = new Uint16Array(RING);
  private readonly sentSeq = new Int32Array(RING).fill(-1);
  private readonly state = new Uint8Array(RING);
  private next = 0;
  private readonly o: Required<SendSideEstimatorOptions>;
  private readonly acked = new RateWindow(1000);
  private latestArrivalMs = NaN;
  private baselineCurrent = Infinity;
  private baselinePrevious = Infinity;
  private baselineSince = NaN;
  private overSinceMs = NaN;
  private lastQueuingMs = 0;
  private estimate = NaN;
  private estimateAtMs = NaN;
  private lastDecreaseMs = -Infinity;
  private received = 0;
  private lost = 0;
  /** Queuing delay of the latest feedback above the path's baseline, ms. */
  queuingDelayMs = 0;
  /** Decreases so far (stats). */
  overuses = 0;

  constructor(options: SendSideEstimatorOptions = {}) {
    this.o = {
      overuseDelayMs: options.overuseDelayMs ?? 25,
      overuseHoldMs: options.overuseHoldMs ?? 100,
      decrease: options.decrease ?? 0.85,
      decreaseIntervalMs: options.decreaseIntervalMs ?? 300,
      increasePerSecond: options.increasePerSecond ?? 1.08,
      releaseMs: options.releaseMs ?? 3000,
    };
  }

  /** The transport-wide sequence number for a packet of `sizeBytes` sent now; remembers both. */
  stamp(sizeBytes: number, nowMs: number): number {
    const seq = this.next;
    this.next = (seq + 1) & 0xffff;
    const i = seq & MASK;
    this.sentAt[i] = nowMs;
    this.sentSize[i] = Math.min(sizeBytes, 0xffff);
    this.sentSeq[i] = seq;
    this.state[i] = 0;
    return seq;
  }

  /** Takes one feedback from the receiver. */
  onFeedback(fb: TransportFeedback, nowMs: number): void {
    let delaySum = 0;
    let delayCount = 0;
    const arrivals = fb.arrivalsUs;
    for (let k = 0; k < arrivals.length; k++) {
      const seq = (fb.baseSequence + k) & 0xffff;
      const i = seq & MASK;
      if (this.sentSeq[i] !== seq) continue;
      const arrivalUs = arrivals[k] as number;
      const before = this.state[i];
      if (arrivalUs < 0) {
        if (before === 0) {
          this.state[i] = LOST;
          this.lost++;
        }
        continue;
      }
      if (before === RECEIVED) continue;
      if (before === LOST) this.lost--;
      this.state[i] = RECEIVED;
      this.received++;
      const arrivalMs = arrivalUs / 1000;
      this.acked.add(this.sentSize[i] as number, arrivalMs);
      if (!(arrivalMs <= this.latestArrivalMs)) this.latestArrivalMs = arrivalMs;
      // one-way delay up to an unknown clock offset: only its rise above the least one matters
      const delay = arrivalMs - (this.sentAt[i] as number);
      this.noteBaseline(delay, nowMs);
      delaySum += delay;
      delayCount++;
    }
    if (delayCount === 0) return;
    const queuing = Math.max(0, delaySum / delayCount - Math.min(this.baselineCurrent, this.baselinePrevious));
    this.queuingDelayMs = queuing;
    this.judge(queuing, nowMs);
    this.lastQueuingMs = queuing;
  }

  /** Share of the packets reported since the last call that never arrived; undefined when too few were reported. */
  takeLossFraction(): number | undefined {
    const total = this.received + this.lost;
    if (total < MIN_LOSS_SAMPLE) return undefined;
    const loss = this.lost / total;
    this.received = 0;
    this.lost = 0;
    return loss;
  }

  /** The rate that got through lately, bit/s, on the receiver's clock; undefined before any feedback. */
  get deliveredBps(): number | undefined {
    return Number.isNaN(this.latestArrivalMs) ? undefined : this.acked.bitsPerSecond(this.latestArrivalMs);
  }

  /** What the path carries, bit/s, while it limits us; undefined when nothing says it does. */
  estimateBps(nowMs: number): number | undefined {
    if (Number.isNaN(this.estimate)) return undefined;
    if (nowMs - this.lastDecreaseMs >= this.o.releaseMs) {
      this.estimate = NaN;
      return undefined;
    }
    return this.estimate * this.o.increasePerSecond ** Math.max(0, (nowMs - this.estimateAtMs) / 1000);
  }

  private judge(queuing: number, nowMs: number): void {
    if (queuing <= this.o.overuseDelayMs || queuing < this.lastQueuingMs - 1) {
      // below the line, or the queue is draining: whatever we did is working
      this.overSinceMs = NaN;
      return;
    }
    if (Number.isNaN(this.overSinceMs)) this.overSinceMs = nowMs;
    if (nowMs - this.overSinceMs < this.o.overuseHoldMs || nowMs - this.lastDecreaseMs < this.o.decreaseIntervalMs) return;
    const delivered = this.deliveredBps;
    if (delivered === undefined || delivered <= 0) return;
    const current = this.estimateBps(nowMs);
    const lowered = this.o.decrease * delivered;
    this.estimate = current === undefined ? lowered : Math.min(current, lowered);
    this.estimateAtMs = nowMs;
    this.lastDecreaseMs = nowMs;
    this.overuses++;
  }

  private noteBaseline(delay: number, nowMs: number): void {
    if (Number.isNaN(this.baselineSince)) this.baselineSince = nowMs;
    if (nowMs - this.baselineSince >= BASELINE_WINDOW_MS) {
      this.baselinePrevious = this.baselineCurrent;
      this.baselineCurrent = Infinity;
      this.baselineSince = nowMs;
    }
    if (delay < this.baselineCurrent) this.baselineCurrent = delay;
  }
}
