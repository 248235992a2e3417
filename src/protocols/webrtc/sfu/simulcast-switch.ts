import { RtpRewriter } from './rtp-rewriter.js';

/** How a SimulcastSwitch asks for keyframes and decides a layer has stopped. */
export interface SimulcastSwitchOptions {
  /** RTP clock rate of the video (90000). */
  clockRate: number;
  /** Asks the publisher for a keyframe on `layer` (send it through a KeyframeRequestLimiter). */
  requestKeyframe: (layer: number) => void;
  /** Told when forwarding moves to another layer (at the keyframe that starts it). */
  onSwitch?: (layer: number) => void;
  /** At most one request per layer per this many ms (default 500). */
  keyframeRequestIntervalMs?: number;
  /** A layer without a packet for this long counts as stopped (default 1000). */
  layerTimeoutMs?: number;
  /** First output sequence number / timestamp (default: those of the first forwarded packet). */
  initialSequence?: number;
  initialTimestamp?: number;
}

const NONE = -1;

/**
 * Keyframe-gated simulcast switching for one subscriber's video track: forwards the `current`
 * layer, moves to `target` at the first keyframe start seen on it (asking the publisher for one,
 * rate-limited), and when the current layer stops, moves to the best layer still flowing at its
 * next keyframe rather than freezing. Output sequence numbers and timestamps come from an
 * RtpRewriter, so the subscriber sees one continuous stream.
 *
 * One call per packet: `forward(...)`, then read `seq` / `timestamp` when it returned true.
 */
export class SimulcastSwitch {
  readonly rewriter: RtpRewriter;
  /** Layer being forwarded (-1: none yet, or paused). */
  current = NONE;
  private targetLayer = NONE;
  private readonly requestInterval: number;
  private readonly timeout: number;
  // per layer, -Infinity for "never"; a handful of layers, grown on first sight
  private readonly lastSeen: number[] = [];
  private readonly lastRequest: number[] = [];

  constructor(private readonly options: SimulcastSwitchOptions) {
    this.rewriter = new RtpRewriter(options.clockRate, {
      initialSequence: options.initialSequence,
      initialTimestamp: options.initialTimestamp,
    });
    this.requestInterval = options.keyframeRequestIntervalMs ?? 500;
    this.timeout = options.layerTimeoutMs ?? 1000;
  }

  /** Layer wanted (-1: pause, forward nothing). */
  get target(): number {
    return this.targetLayer;
  }

  /** Output sequence number of the packet `forward()` last accepted. */
  get seq(): number {
    return this.rewriter.seq;
  }

  /** Output RTP timestamp of the packet `forward()` last accepted. */
  get timestamp(): number {
    return this.rewriter.timestamp;
  }

  /** Sets the wanted layer (from a LayerController); -1 pauses at once, and resuming waits for a keyframe. */
  setTarget(layer: number, nowMs: number): void {
    this.targetLayer = layer;
    if (layer === NONE) {
      this.current = NONE;
      return;
    }
    const awaited = this.awaitedLayer(nowMs);
    if (awaited !== NONE) this.maybeRequest(awaited, nowMs);
  }

  /** Decides one packet of `layer` and rewrites its sequence number and timestamp; false: drop it. */
  forward(layer: number, seq: number, timestamp: number, keyframeStart: boolean, nowMs: number): boolean {
    if (!this.onPacket(layer, keyframeStart, nowMs)) return false;
    return this.rewriter.rewrite(layer, seq, timestamp, nowMs);
  }

  /** The switching decision alone (without rewriting): true when this packet is to be forwarded. */
  onPacket(layer: number, keyframeStart: boolean, nowMs: number): boolean {
    if (layer < 0) return false;
    this.see(layer, nowMs);
    if (this.targetLayer === NONE) return false;
    if (layer === this.current) {
      if (this.targetLayer !== this.current) this.maybeRequest(this.targetLayer, nowMs);
      return true;
    }
    const awaited = this.awaitedLayer(nowMs);
    if (awaited === NONE) return false;
    if (layer === awaited && keyframeStart) {
      this.current = layer;
      this.rewriter.switchSource(layer);
      this.options.onSwitch?.(layer);
      return true;
    }
    this.maybeRequest(awaited, nowMs);
    return false;
  }

  /** True when `layer` sent a packet within the layer timeout. */
  isFlowing(layer: number, nowMs: number): boolean {
    const t = this.lastSeen[layer];
    return t !== undefined && nowMs - t <= this.timeout;
  }

  /** The layer whose keyframe we wait for: the target, or if nothing flows for us, the best layer that does. */
  private awaitedLayer(nowMs: number): number {
    const target = this.targetLayer;
    const currentFlowing = this.current !== NONE && this.isFlowing(this.current, nowMs);
    if (currentFlowing) return target === this.current ? NONE : target;
    if (this.isFlowing(target, nowMs)) return target;
    // the current layer stopped (or none yet) and the target is not flowing: closest flowing layer,
    // preferring lower ones, which fit whatever bandwidth made the target affordable
    for (let l = target - 1; l >= 0; l--) if (this.isFlowing(l, nowMs)) return l;
    for (let l = target + 1; l < this.lastSeen.length; l++) if (this.isFlowing(l, nowMs)) return l;
    return target;
  }

  private maybeRequest(layer: number, nowMs: number): void {
    if (layer < 0) return;
    this.grow(layer);
    if (nowMs - (this.lastRequest[layer] as number) < this.requestInterval) return;
    this.lastRequest[layer] = nowMs;
    this.options.requestKeyframe(layer);
  }

  private see(layer: number, nowMs: number): void {
    if (layer >= this.lastSeen.length) this.grow(layer);
    this.lastSeen[layer] = nowMs;
  }

  private grow(layer: number): void {
    while (this.lastSeen.length <= layer) {
      this.lastSeen.push(-Infinity);
      this.lastRequest.push(-Infinity);
    }
  }
}
