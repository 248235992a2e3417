import type { RtpPacket } from 'werift';
import { LayerController, RtpRewriter, SimulcastSwitch } from '../sfu/index.js';
import type { AudioSink, PublishedAudio, PublishedVideo, VideoSink } from './published-tracks.js';

/** How often a subscription looks at its feedback and may change layer. */
const CONTROL_INTERVAL_MS = 500;

/** Where a subscription's packets go: one WebRTC stack or another. */
export interface SubscriptionOutput {
  sendVideo(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void;
  sendAudio(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void;
  /** Loss the subscriber reported since the last call, 0..1. */
  takeLossFraction(nowMs: number): number;
  /** What the path to the subscriber carries (REMB, or our transport-wide CC estimate) while it limits us. */
  estimateBps(nowMs: number): number | undefined;
  /** The rate that recently got through to the subscriber, when its feedback tells. */
  readonly deliveredBps: number | undefined;
  readonly rttMs: number | undefined;
  readonly videoPacketsSent: number;
  readonly audioPacketsSent: number;
  readonly bytesSent: number;
}

/** What one subscription reports (stats API, analytics). */
export interface SubscriptionStats {
  id: string;
  publisher: string;
  layer: number | null;
  targetLayer: number | null;
  videoPacketsSent: number;
  audioPacketsSent: number;
  bytesSent: number;
  /** Fraction of our packets the subscriber reported lost lately. */
  lossFraction: number | null;
  rttMs: number | null;
  /** Bandwidth estimate used for the layer choice while the path limits us, bit/s. */
  estimateBps: number | null;
  /** Rate the subscriber's feedback says got through lately, bit/s. */
  deliveredBps: number | null;
}

/**
 * The SFU decisions of one subscriber receiving one publisher, whatever stack carries the packets:
 * every forwarded packet gets this subscriber's own sequence and timestamp (one continuous stream
 * across layer switches); the video layer follows the subscriber's loss, REMB and requested size,
 * and switches wait for a keyframe of the new layer, which is asked for at once.
 */
export class SubscriptionForwarder implements VideoSink, AudioSink {
  private readonly videoSwitch: SimulcastSwitch | undefined;
  private readonly audioRewriter: RtpRewriter | undefined;
  private readonly controller = new LayerController();
  private maxHeight: number | undefined;
  private reportedLayer = -1;
  private timer: NodeJS.Timeout | undefined;
  private live = false;
  private lastLoss = 0;
  private lastEstimate: number | null = null;
  private lastDelivered: number | null = null;
  private readonly onLayer: ((layer: number) => void) | undefined;

  constructor(
    readonly id: string,
    readonly publisherId: string,
    private readonly video: PublishedVideo | undefined,
    private readonly audio: PublishedAudio | undefined,
    private readonly out: SubscriptionOutput,
    options: { maxHeight?: number; onLayer: (layer: number, rid: string | null) => void },
  ) {
    this.maxHeight = options.maxHeight;
    if (video !== undefined) {
      this.videoSwitch = new SimulcastSwitch({ clockRate: video.codec.clockRate, requestKeyframe: (layer) => video.requestKeyframe(layer) });
      this.onLayer = (layer) => options.onLayer(layer, video.rids[layer] ?? null);
    }
    if (audio !== undefined) this.audioRewriter = new RtpRewriter(audio.codec.clockRate);
  }

  /** Starts forwarding (the subscriber's peer is connected). */
  start(): void {
    if (this.live) return;
    this.live = true;
    this.video?.sinks.add(this);
    this.audio?.sinks.add(this);
    this.control();
    this.timer = setInterval(() => this.control(), CONTROL_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.live = false;
    clearInterval(this.timer);
    this.video?.sinks.delete(this);
    this.audio?.sinks.delete(this);
  }

  /** The subscriber lost a picture (or just started decoding): the layer it watches sends a keyframe. */
  pictureLost(): void {
    const layer = this.videoSwitch?.current ?? -1;
    if (layer >= 0) this.video?.requestKeyframe(layer);
  }

  /** The subscriber's wish: no video taller than this (0 pauses video). */
  setMaxHeight(maxHeight: number | undefined): void {
    this.maxHeight = maxHeight;
    this.control();
  }

  onVideo(layer: number, packet: RtpPacket, keyframeStart: boolean, nowMs: number): void {
    const sw = this.videoSwitch;
    if (!this.live || sw === undefined) return;
    if (!sw.forward(layer, packet.header.sequenceNumber, packet.header.timestamp, keyframeStart, nowMs)) return;
    this.out.sendVideo(packet.payload, sw.seq, sw.timestamp, packet.header.marker);
    if (sw.current !== this.reportedLayer) {
      this.reportedLayer = sw.current;
      this.onLayer?.(sw.current);
    }
  }

  onAudio(packet: RtpPacket, nowMs: number): void {
    const rw = this.audioRewriter;
    if (!this.live || rw === undefined) return;
    if (rw.rewrite(0, packet.header.sequenceNumber, packet.header.timestamp, nowMs)) this.out.sendAudio(packet.payload, rw.seq, rw.timestamp, packet.header.marker);
  }

  stats(): SubscriptionStats {
    const sw = this.videoSwitch;
    return {
      id: this.id,
      publisher: this.publisherId,
      layer: sw !== undefined && sw.current >= 0 ? sw.current : null,
      targetLayer: sw !== undefined && sw.target >= 0 ? sw.target : null,
      videoPacketsSent: this.out.videoPacketsSent,
      audioPacketsSent: this.out.audioPacketsSent,
      bytesSent: this.out.bytesSent,
      lossFraction: this.video !== undefined ? this.lastLoss : null,
      rttMs: this.out.rttMs ?? null,
      estimateBps: this.lastEstimate,
      deliveredBps: this.lastDelivered,
    };
  }

  /** Feeds the subscriber's feedback to the layer controller and points the switch at its choice. */
  private control(): void {
    const video = this.video;
    const sw = this.videoSwitch;
    if (video === undefined || sw === undefined) return;
    const now = performance.now();
    this.lastLoss = this.out.takeLossFraction(now);
    const estimate = this.out.estimateBps(now);
    const delivered = this.out.deliveredBps;
    this.lastEstimate = estimate !== undefined ? Math.round(estimate) : null;
    this.lastDelivered = delivered !== undefined ? Math.round(delivered) : null;
    this.controller.setLayers(video.status(now).map((l) => ({ index: l.index, bitrateBps: l.bitrateBps, height: l.height ?? 0, active: l.active })), now);
    this.controller.setRequestedMaxHeight(this.maxHeight !== undefined && this.maxHeight > 0 ? this.maxHeight : undefined, now);
    this.controller.setPaused(this.maxHeight === 0, now);
    const target = this.controller.update({ nowMs: now, lossFraction: this.lastLoss, ...(estimate !== undefined ? { estimateBps: estimate } : {}), ...(delivered !== undefined ? { deliveredBps: delivered } : {}) });
    sw.setTarget(target, now);
  }
}
