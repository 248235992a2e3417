import type { Extensions, MediaStreamTrack, RtpPacket } from 'werift';
import { isKeyframeStart, KeyframeRequestLimiter, RateWindow, ReceiveStats, type ReceiveStatsSnapshot } from '../sfu/index.js';
import { keyframeSize } from './frame-size.js';
import { AUDIO_LEVEL_URI } from './room-peer.js';
import type { NegotiatedCodec, RoomVideoCodec } from './room-codecs.js';

/** Where a subscription takes a publisher's video: every packet of every layer, with its layer index. */
export interface VideoSink {
  onVideo(layer: number, packet: RtpPacket, keyframeStart: boolean, nowMs: number): void;
}

/** Where a subscription takes a publisher's audio. */
export interface AudioSink {
  onAudio(packet: RtpPacket, nowMs: number): void;
}

/** One simulcast layer (or the only one) as subscriptions and stats see it. */
export interface LayerStatus {
  index: number;
  rid: string | null;
  bitrateBps: number;
  /** Packets arrived within the last second. */
  active: boolean;
  /** Picture height from the layer's last keyframe, once one was seen. */
  height: number | undefined;
}

// A layer that has sent nothing for this long is treated as stopped (the encoder dropped it for bandwidth or CPU).
const LAYER_IDLE_MS = 1000;

class Layer {
  ssrc: number | undefined;
  lastPacketMs = -Infinity;
  height: number | undefined;
  readonly stats: ReceiveStats;
  readonly rate = new RateWindow(1000);

  constructor(
    readonly index: number,
    readonly rid: string | null,
    clockRate: number,
  ) {
    this.stats = new ReceiveStats(clockRate);
  }
}

/**
 * A participant's published video: one to three layers (simulcast rids, lowest first as the
 * publisher listed them), each measured, and every packet handed to the subscriptions once, with
 * whether it starts a keyframe computed once for all of them.
 */
export class PublishedVideo {
  readonly sinks = new Set<VideoSink>();
  private readonly layers: Layer[];
  private readonly keyframes: KeyframeRequestLimiter<number>;
  private readonly codecName: RoomVideoCodec;

  constructor(
    readonly codec: NegotiatedCodec,
    readonly rids: readonly string[],
    sendPli: (ssrc: number) => void,
  ) {
    this.codecName = codec.name as RoomVideoCodec;
    this.layers = rids.length > 0 ? rids.map((rid, i) => new Layer(i, rid, codec.clockRate)) : [new Layer(0, null, codec.clockRate)];
    this.keyframes = new KeyframeRequestLimiter<number>({
      send: (layer) => {
        const ssrc = this.layers[layer]?.ssrc;
        if (ssrc !== undefined) sendPli(ssrc);
      },
    });
  }

  /** SSRCs of the layers seen so far. */
  ssrcs(): number[] {
    return this.layers.flatMap((l) => (l.ssrc !== undefined ? [l.ssrc] : []));
  }

  get layerCount(): number {
    return this.layers.length;
  }

  attach(track: MediaStreamTrack): void {
    const index = track.rid !== undefined && this.rids.length > 0 ? this.rids.indexOf(track.rid) : 0;
    const layer = this.layers[index];
    if (layer === undefined) return;
    track.onReceiveRtp.subscribe((packet) => this.onPacket(layer, packet));
  }

  /** Asks the publisher for a keyframe on one layer; many subscribers asking at once cost one PLI. */
  requestKeyframe(layer: number): void {
    this.keyframes.request(layer);
  }

  status(nowMs = performance.now()): LayerStatus[] {
    return this.layers.map((l) => ({ index: l.index, rid: l.rid, bitrateBps: l.rate.bitsPerSecond(nowMs), active: nowMs - l.lastPacketMs < LAYER_IDLE_MS, height: l.height }));
  }

  /** Receive statistics per layer (loss, jitter, bitrate), for the stats API. */
  stats(nowMs = performance.now()): ({ rid: string | null } & ReceiveStatsSnapshot)[] {
    return this.layers.map((l) => ({ rid: l.rid, ...l.stats.snapshot(nowMs) }));
  }

  close(): void {
    this.sinks.clear();
    this.keyframes.close();
  }

  private onPacket(layer: Layer, packet: RtpPacket): void {
    const now = performance.now();
    layer.ssrc = packet.header.ssrc;
    layer.lastPacketMs = now;
    layer.stats.onPacket(packet.header.sequenceNumber, packet.header.timestamp, packet.payload.length, now);
    layer.rate.add(packet.payload.length, now);
    if (packet.payload.length === 0) return; // padding probes carry nothing to forward
    const keyframe = isKeyframeStart(this.codecName, packet.payload);
    if (keyframe) layer.height = keyframeSize(this.codecName, packet.payload)?.height ?? layer.height;
    for (const sink of this.sinks) sink.onVideo(layer.index, packet, keyframe, now);
  }
}

/** A participant's published audio: forwarded as it comes, its level reported for active-speaker detection. */
export class PublishedAudio {
  readonly sinks = new Set<AudioSink>();
  readonly stats: ReceiveStats;

  constructor(
    readonly codec: NegotiatedCodec,
    private readonly onLevel: (level: number, nowMs: number) => void,
  ) {
    this.stats = new ReceiveStats(codec.clockRate);
  }

  attach(track: MediaStreamTrack): void {
    track.onReceiveRtp.subscribe((packet, extensions) => this.onPacket(packet, extensions));
  }

  close(): void {
    this.sinks.clear();
  }

  private onPacket(packet: RtpPacket, extensions: Extensions | undefined): void {
    const now = performance.now();
    this.stats.onPacket(packet.header.sequenceNumber, packet.header.timestamp, packet.payload.length, now);
    const level = (extensions?.[AUDIO_LEVEL_URI] as { level?: number } | undefined)?.level;
    if (level !== undefined) this.onLevel(level, now);
    for (const sink of this.sinks) sink.onAudio(packet, now);
  }
}
