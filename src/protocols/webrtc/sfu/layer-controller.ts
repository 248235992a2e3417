/** One simulcast layer as the controller sees it; `index` grows with quality (rid q=0, h=1, f=2). */
export interface SimulcastLayer {
  index: number;
  /** Measured bitrate in bit/s (0: not measured yet). */
  bitrateBps: number;
  /** Picture height in pixels (undefined: not known yet, never counted as above a cap). */
  height?: number | undefined;
  /** Packets arrived recently. */
  active: boolean;
}

/** Periodic congestion feedback about one subscriber. */
export interface FeedbackSample {
  nowMs: number;
  /** Fraction lost since the previous sample (receiver report or TWCC), 0..1. */
  lossFraction: number;
  /** Bandwidth estimate (REMB or TWCC based), when there is one. */
  estimateBps?: number;
  /** Rate that recently got through to the subscriber, when known; a budget when going down on loss. */
  deliveredBps?: number;
}

/** Why the target layer changed. */
export type LayerChangeReason =
  | 'start'
  | 'loss'
  | 'estimate'
  | 'probe'
  | 'probe-failed'
  | 'inactive'
  | 'constraint'
  | 'paused';

/** Tunables of a LayerController; every default is the one in the comment. */
export interface LayerControllerOptions {
  /** Quiet time before going up one layer (4000); doubles after each failed probe. */
  upHoldMs?: number;
  /** Ceiling of the doubled hold (60000). */
  maxUpHoldMs?: number;
  /** Trouble-free time after which the hold returns to `upHoldMs` (60000). */
  stableResetMs?: number;
  /** After going up, loss within this long sends us back down (2000). */
  probeWindowMs?: number;
  /** Window over which loss is averaged for going down (1000). */
  lossWindowMs?: number;
  /** Average loss above this over the window means go down (0.10). */
  downLossFraction?: number;
  /** Loss above this breaks a quiet period and fails a probe (0.02). */
  quietLossFraction?: number;
  /** Share of the estimate or delivered rate a layer's bitrate may use (0.85). */
  headroom?: number;
  /** An estimate older than this is ignored (5000). */
  estimateMaxAgeMs?: number;
  /** Budget for the first choice when no estimate is known yet (1_000_000 bit/s). */
  startBitrateBps?: number;
  /** Told of every change of `target`. */
  onChange?: (target: number, reason: LayerChangeReason, previous: number) => void;
}

const NONE = -1;
// loss samples kept for the window average: enough for 1 s of feedback every ~8 ms
const RING = 128;

/**
 * Chooses the simulcast layer for one subscriber from congestion feedback and the subscriber's
 * wishes: down quickly on sustained loss or a low estimate, up one layer at a time after a quiet
 * hold, back down with a doubled hold when the layer probed shows loss. Never picks an inactive
 * layer or one taller than the requested height. Driven only by the `nowMs` passed in.
 *
 * Changes are reported through `options.onChange`, and every method returns the current `target`
 * (-1: paused or no layer eligible).
 */
export class LayerController {
  target = NONE;
  private layers: readonly SimulcastLayer[] = [];
  private maxHeight: number | undefined;
  private paused = false;
  private readonly o: Required<Omit<LayerControllerOptions, 'onChange'>>;
  private hold: number;
  private startMs = NaN;
  private lastSampleMs = NaN;
  private quietSince = 0;
  private lastTroubleMs = -Infinity;
  private probeFrom = NONE;
  private probeAt = -Infinity;
  private estimate = NaN;
  private delivered = NaN;
  private deliveredMs = -Infinity;
  private estimateMs = -Infinity;
  private readonly lossEnd = new Float64Array(RING);
  private readonly lossDuration = new Float64Array(RING);
  private readonly lossValue = new Float64Array(RING);
  private lossHead = 0;
  private lossCount = 0;

  constructor(private readonly options: LayerControllerOptions = {}) {
    this.o = {
      upHoldMs: options.upHoldMs ?? 4000,
      maxUpHoldMs: options.maxUpHoldMs ?? 60_000,
      stableResetMs: options.stableResetMs ?? 60_000,
      probeWindowMs: options.probeWindowMs ?? 2000,
      lossWindowMs: options.lossWindowMs ?? 1000,
      downLossFraction: options.downLossFraction ?? 0.1,
      quietLossFraction: options.quietLossFraction ?? 0.02,
      headroom: options.headroom ?? 0.85,
      estimateMaxAgeMs: options.estimateMaxAgeMs ?? 5000,
      startBitrateBps: options.startBitrateBps ?? 1_000_000,
    };
    this.hold = this.o.upHoldMs;
  }

  /** The hold in force before the next step up (grows with failed probes). */
  get upHoldMs(): number {
    return this.hold;
  }

  /** Replaces the layer list (call again after changing the objects in place). */
  setLayers(layers: readonly SimulcastLayer[], nowMs: number): number {
    this.layers = layers;
    return this.reconcile(nowMs);
  }

  /** The subscriber's largest wanted picture height (undefined: no limit; 0: paused). */
  setRequestedMaxHeight(height: number | undefined, nowMs: number): number {
    this.maxHeight = height;
    return this.reconcile(nowMs);
  }

  /** Paused subscribers get no layer (target -1); resuming chooses afresh. */
  setPaused(paused: boolean, nowMs: number): number {
    this.paused = paused;
    return this.reconcile(nowMs);
  }

  /**
   * Feeds one feedback sample and applies the policy. With `layers`, the layer list and the
   * height cap (`maxHeight`, undefined: no limit) are replaced first, in the same step.
   */
  update(sample: FeedbackSample, layers?: readonly SimulcastLayer[], maxHeight?: number): number {
    const now = sample.nowMs;
    this.clock(now);
    if (layers !== undefined) {
      this.layers = layers;
      this.maxHeight = maxHeight;
    }
    if (sample.deliveredBps !== undefined && Number.isFinite(sample.deliveredBps) && sample.deliveredBps > 0) {
      this.delivered = sample.deliveredBps;
      this.deliveredMs = now;
    }
    const loss = Number.isFinite(sample.lossFraction) ? Math.min(1, Math.max(0, sample.lossFraction)) : 0;
    const since = Number.isNaN(this.lastSampleMs) ? this.startMs : this.lastSampleMs;
    this.lastSampleMs = now;
    this.pushLoss(now, Math.max(0, now - since), loss);
    if (sample.estimateBps !== undefined && Number.isFinite(sample.estimateBps)) {
      this.estimate = sample.estimateBps;
      this.estimateMs = now;
    }
    if (loss > this.o.quietLossFraction) this.quietSince = now;
    if (this.hold > this.o.upHoldMs && now - this.lastTroubleMs >= this.o.stableResetMs) this.hold = this.o.upHoldMs;

    this.reconcile(now);
    if (this.target === NONE) return this.target;
    if (this.checkProbe(now, loss)) return this.target;
    if (this.checkDown(now)) return this.target;
    this.checkUp(now);
    return this.target;
  }

  /** A probe fails when the layer we went up to shows loss, or an estimate below it, in the probe window. */
  private checkProbe(now: number, loss: number): boolean {
    if (this.probeFrom === NONE) return false;
    if (now - this.probeAt > this.o.probeWindowMs) {
      this.probeFrom = NONE;
      return false;
    }
    const current = this.layer(this.target);
    const estimate = this.freshEstimate(now);
    const lowEstimate = current !== undefined && estimate < current.bitrateBps;
    if (loss <= this.o.quietLossFraction && !lowEstimate) return false;
    const back = this.eligible(this.layer(this.probeFrom)) ? this.probeFrom : this.bestBelow(this.target, Infinity);
    this.probeFrom = NONE;
    this.hold = Math.min(this.hold * 2, this.o.maxUpHoldMs);
    this.change(back === NONE ? this.target : back, 'probe-failed', now);
    this.lastTroubleMs = now;
    return true;
  }

  private checkDown(now: number): boolean {
    const current = this.layer(this.target);
    if (current === undefined) return false;
    const estimate = this.freshEstimate(now);
    const window = this.o.lossWindowMs;
    let covered = 0;
    let weighted = 0;
    for (let i = 0; i < this.lossCount; i++) {
      const k = (this.lossHead - 1 - i + RING) % RING;
      const end = this.lossEnd[k] as number;
      if (end <= now - window) break;
      const w = Math.min(this.lossDuration[k] as number, end - (now - window));
      covered += w;
      weighted += w * (this.lossValue[k] as number);
    }
    // loss decides only once about a whole window of feedback is in
    const avgLoss = covered > 0 ? weighted / covered : 0;
    if (covered >= 0.8 * window && avgLoss > this.o.downLossFraction) {
      const measured = now - this.deliveredMs <= this.o.estimateMaxAgeMs ? this.delivered : NaN;
      const delivered = Number.isNaN(measured) ? current.bitrateBps * (1 - avgLoss) : measured;
      const budget = Number.isNaN(estimate) ? delivered : Math.min(estimate, delivered);
      this.goDown(this.bestBelow(this.target, this.o.headroom * budget), 'loss', now);
      return true;
    }
    if (estimate < current.bitrateBps) {
      this.goDown(this.bestBelow(this.target, this.o.headroom * estimate), 'estimate', now);
      return true;
    }
    return false;
  }

  private goDown(layer: number, reason: LayerChangeReason, now: number): void {
    this.lastTroubleMs = now;
    if (layer !== NONE) this.change(layer, reason, now);
  }

  private checkUp(now: number): void {
    if (this.probeFrom !== NONE) return;
    if (now - this.quietSince < this.hold) return;
    const next = this.nextAbove(this.target);
    if (next === undefined) return;
    const estimate = this.freshEstimate(now);
    if (!Number.isNaN(estimate) && this.o.headroom * estimate < next.bitrateBps) return;
    const from = this.target;
    this.change(next.index, 'probe', now);
    this.probeFrom = from;
    this.probeAt = now;
  }

  /** Applies the hard rules (paused, inactive, height cap) and makes the first choice. */
  private reconcile(now: number): number {
    this.clock(now);
    if (this.paused || (this.maxHeight !== undefined && this.maxHeight <= 0)) {
      this.change(NONE, 'paused', now);
      return this.target;
    }
    if (this.target === NONE) {
      const estimate = this.freshEstimate(now);
      const budget = this.o.headroom * (Number.isNaN(estimate) ? this.o.startBitrateBps : estimate);
      let choice = NONE;
      for (const l of this.layers) {
        if (this.eligible(l) && l.bitrateBps > 0 && l.bitrateBps <= budget && l.index > choice) choice = l.index;
      }
      if (choice === NONE) choice = this.lowestAbove(NONE);
      this.change(choice, 'start', now);
      return this.target;
    }
    const current = this.layer(this.target);
    if (this.eligible(current)) return this.target;
    const reason: LayerChangeReason = current !== undefined && current.active ? 'constraint' : 'inactive';
    let choice = this.bestBelow(this.target, Infinity);
    if (choice === NONE) choice = this.lowestAbove(this.target);
    this.change(choice, reason, now);
    return this.target;
  }

  private change(layer: number, reason: LayerChangeReason, now: number): void {
    if (layer === this.target) return;
    const previous = this.target;
    this.target = layer;
    this.quietSince = now;
    this.probeFrom = NONE;
    // loss measured so far belongs to the old layer
    this.lossCount = 0;
    this.options.onChange?.(layer, reason, previous);
  }

  private clock(now: number): void {
    if (Number.isNaN(this.startMs)) {
      this.startMs = now;
      this.quietSince = now;
    }
  }

  private pushLoss(end: number, duration: number, loss: number): void {
    this.lossEnd[this.lossHead] = end;
    this.lossDuration[this.lossHead] = duration;
    this.lossValue[this.lossHead] = loss;
    this.lossHead = (this.lossHead + 1) % RING;
    if (this.lossCount < RING) this.lossCount++;
  }

  private freshEstimate(now: number): number {
    return now - this.estimateMs <= this.o.estimateMaxAgeMs ? this.estimate : NaN;
  }

  private eligible(l: SimulcastLayer | undefined): boolean {
    if (l === undefined || !l.active) return false;
    return this.maxHeight === undefined || l.height === undefined || l.height <= this.maxHeight;
  }

  private layer(index: number): SimulcastLayer | undefined {
    for (const l of this.layers) if (l.index === index) return l;
    return undefined;
  }

  /** Highest eligible layer below `index` whose bitrate fits `budget`, else the lowest eligible below it. */
  private bestBelow(index: number, budget: number): number {
    let fit = NONE;
    let lowest = NONE;
    for (const l of this.layers) {
      if (l.index >= index || !this.eligible(l)) continue;
      if (l.bitrateBps <= budget && l.index > fit) fit = l.index;
      if (lowest === NONE || l.index < lowest) lowest = l.index;
    }
    return fit !== NONE ? fit : lowest;
  }

  private lowestAbove(index: number): number {
    const l = this.nextAbove(index);
    return l === undefined ? NONE : l.index;
  }

  private nextAbove(index: number): SimulcastLayer | undefined {
    let best: SimulcastLayer | undefined;
    for (const l of this.layers) {
      if (l.index > index && this.eligible(l) && (best === undefined || l.index < best.index)) best = l;
    }
    return best;
  }
}
