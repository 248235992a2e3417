import type { RTCPeerConnection, RtpPacket } from 'werift';
import type { Logger } from '../../../base/index.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from '../peer-resource.js';
import { RtpOut } from '../rtp-out.js';
import { LayerController, RtpRewriter, SimulcastSwitch } from '../sfu/index.js';
import type { AudioSink, PublishedAudio, PublishedVideo, VideoSink } from './published-tracks.js';
import { SenderFeedback } from '../sender-feedback.js';

/** How often a subscription looks at its feedback and may change layer. */
const CONTROL_INTERVAL_MS = 500;

/** What one subscription reports (stats API, analytics). */
export interface SubscriptionStats {
  id: string;
  publisher: string;
  layer: number | null;
  targetLayer: number | null;
  videoPacketsSent: number;
  audioPacketsSent: number;
  bytesSent: number;
  /** Fraction of our packets the subscriber reported lost (last receiver report). */
  lossFraction: number | null;
  rttMs: number | null;
  /** Bandwidth estimate used for the layer choice, bit/s. */
  estimateBps: number | null;
}

/**
 * One subscriber receiving one publisher: our offer carries the publisher's codecs, and once
 * connected every forwarded packet gets this subscriber's own sequence, timestamp and SSRC. The
 * video layer follows the subscriber's bandwidth and requested size; switches wait for a keyframe
 * of the new layer so the picture never breaks.
 */
export class RoomSubscription extends PeerResource implements VideoSink, AudioSink {
  private readonly videoOut: RtpOut | undefined;
  private readonly feedback: SenderFeedback | undefined;
  private lastLoss = 0;
  private readonly audioOut: RtpOut | undefined;
  private readonly videoSwitch: SimulcastSwitch | undefined;
  private readonly audioRewriter: RtpRewriter | undefined;
  private readonly controller = new LayerController();
  private maxHeight: number | undefined;
  private onLayer: ((layer: number) => void) | undefined;
  private reportedLayer = -1;
  private timer: NodeJS.Timeout | undefined;
  private live = false;
  private lastEstimate: number | null = null;

  constructor(
    pc: RTCPeerConnection,
    readonly publisherId: string,
    private readonly video: PublishedVideo | undefined,
    private readonly audio: PublishedAudio | undefined,
    options: { maxHeight?: number; onLayer: (layer: number, rid: string | null) => void },
    log: Logger,
    settings: PeerResourceSettings,
  ) {
    super(pc, log, settings);
    this.maxHeight = options.maxHeight;
    if (video !== undefined) {
      const sender = pc.addTransceiver('video', { direction: 'sendonly' }).sender;
      this.videoOut = new RtpOut(sender);
      this.feedback = new SenderFeedback(sender);
      this.videoSwitch = new SimulcastSwitch({ clockRate: video.codec.clockRate, requestKeyframe: (layer) => video.requestKeyframe(layer) });
      this.onLayer = (layer) => options.onLayer(layer, video.rids[layer] ?? null);
      // the subscriber lost a picture (or just started decoding): the layer it watches sends a keyframe
      sender.onPictureLossIndication.subscribe(() => {
        const layer = this.videoSwitch?.current ?? -1;
        if (layer >= 0) video.requestKeyframe(layer);
      });
    }
    if (audio !== undefined) {
      this.audioOut = new RtpOut(pc.addTransceiver('audio', { direction: 'sendonly' }).sender);
      this.audioRewriter = new RtpRewriter(audio.codec.clockRate);
    }
  }

  /** The subscriber's wish: no video taller than this (0 pauses video). */
  setMaxHeight(maxHeight: number | undefined): void {
    this.maxHeight = maxHeight;
    this.control();
  }

  onVideo(layer: number, packet: RtpPacket, keyframeStart: boolean, nowMs: number): void {
    const sw = this.videoSwitch;
    const out = this.videoOut;
    if (!this.live || sw === undefined || out === undefined) return;
    if (!sw.forward(layer, packet.header.sequenceNumber, packet.header.timestamp, keyframeStart, nowMs)) return;
    out.send(packet.payload, sw.seq, sw.timestamp, packet.header.marker);
    if (sw.current !== this.reportedLayer) {
      this.reportedLayer = sw.current;
      this.onLayer?.(sw.current);
    }
  }

  onAudio(packet: RtpPacket, nowMs: number): void {
    const rw = this.audioRewriter;
    const out = this.audioOut;
    if (!this.live || rw === undefined || out === undefined) return;
    if (rw.rewrite(0, packet.header.sequenceNumber, packet.header.timestamp, nowMs)) out.send(packet.payload, rw.seq, rw.timestamp, packet.header.marker);
  }

  stats(): SubscriptionStats {
    return {
      id: this.id,
      publisher: this.publisherId,
      layer: this.videoSwitch !== undefined && this.videoSwitch.current >= 0 ? this.videoSwitch.current : null,
      targetLayer: this.videoSwitch !== undefined && this.videoSwitch.target >= 0 ? this.videoSwitch.target : null,
      videoPacketsSent: this.videoOut?.packetsSent ?? 0,
      audioPacketsSent: this.audioOut?.packetsSent ?? 0,
      bytesSent: (this.videoOut?.bytesSent ?? 0) + (this.audioOut?.bytesSent ?? 0),
      lossFraction: this.feedback !== undefined ? this.lastLoss : null,
      rttMs: this.feedback?.rttMs ?? null,
      estimateBps: this.lastEstimate,
    };
  }

  protected connected(): void {
    if (this.live) return;
    this.live = true;
    this.video?.sinks.add(this);
    this.audio?.sinks.add(this);
    this.control();
    this.timer = setInterval(() => this.control(), CONTROL_INTERVAL_MS);
    this.timer.unref();
  }

  protected detach(_reason: ResourceEndReason): void {
    this.live = false;
    clearInterval(this.timer);
    this.video?.sinks.delete(this);
    this.audio?.sinks.delete(this);
  }

  /** Feeds the subscriber's feedback to the layer controller and points the switch at its choice. */
  private control(): void {
    const video = this.video;
    const sw = this.videoSwitch;
    const feedback = this.feedback;
    if (video === undefined || sw === undefined || feedback === undefined) return;
    const now = performance.now();
    this.lastLoss = feedback.takeLossFraction(now);
    const estimate = feedback.rembBps;
    this.lastEstimate = estimate ?? null;
    this.controller.setLayers(video.status(now).map((l) => ({ index: l.index, bitrateBps: l.bitrateBps, height: l.height ?? 0, active: l.active })), now);
    this.controller.setRequestedMaxHeight(this.maxHeight !== undefined && this.maxHeight > 0 ? this.maxHeight : undefined, now);
    this.controller.setPaused(this.maxHeight === 0, now);
    const target = this.controller.update({ nowMs: now, lossFraction: this.lastLoss, ...(estimate !== undefined ? { estimateBps: estimate } : {}) });
    sw.setTarget(target, now);
  }
}
