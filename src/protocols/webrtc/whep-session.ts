import { randomInt } from 'node:crypto';
import type { RTCPeerConnection, RTCRtpSender } from 'werift';
import type { Logger } from '../../base/index.js';
import type { ByteSink, Stream, Subscription } from '../../hub/index.js';
import type { OpusSource } from './opus-source.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from './peer-resource.js';
import type { RtpFrameFormat } from './rtp-frame-format.js';
import { RtpOut } from './rtp-out.js';
import { SenderFeedback } from './sender-feedback.js';

/** What a viewer's track reports: what we sent and what the viewer says arrived. */
export interface TrackOutStats {
  packetsSent: number;
  bytesSent: number;
  /** Loss the viewer reported since the last look (receiver reports, transport-wide CC). */
  lossFraction: number;
  packetsLost: number;
  jitterMs: number;
  rttMs: number | null;
  /** Packets sent again to answer the viewer's NACKs (native transport). */
  packetsResent?: number;
}

/** One outgoing track of a viewer: its own sequence and timestamp space over a shared RtpOut. */
class TrackOut {
  private sequence = randomInt(0, 0x10000);
  private readonly timestampOffset = randomInt(0, 0x100000000);
  readonly out: RtpOut;
  readonly feedback: SenderFeedback;

  constructor(sender: RTCRtpSender) {
    this.out = new RtpOut(sender);
    this.feedback = new SenderFeedback(sender);
  }

  stats(clockRate: number): TrackOutStats {
    return {
      packetsSent: this.out.packetsSent,
      bytesSent: this.out.bytesSent,
      lossFraction: this.feedback.takeLossFraction(performance.now()),
      packetsLost: this.feedback.totalLost,
      jitterMs: Math.round((this.feedback.jitter / clockRate) * 1000 * 10) / 10,
      rttMs: this.feedback.rttMs ?? null,
    };
  }

  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.out.send(payload, this.sequence, (timestamp + this.timestampOffset) >>> 0, marker);
    this.sequence = (this.sequence + 1) & 0xffff;
  }
}

/**
 * A WHEP viewer: once connected it subscribes to the hub stream with the stream's shared
 * RtpFrameFormat, starting from the GOP cache, and sends each RTP payload with its own headers.
 */
export class WhepSession extends PeerResource {
  private subscription: Subscription | undefined;
  private video: TrackOut | undefined;
  private audio: TrackOut | undefined;
  private stopAudio: (() => void) | undefined;

  constructor(
    pc: RTCPeerConnection,
    readonly stream: Stream,
    private readonly format: RtpFrameFormat,
    senders: { video?: RTCRtpSender; audio?: RTCRtpSender },
    private readonly wantKeyframe: () => void,
    log: Logger,
    settings: PeerResourceSettings,
    /** Opus from beside the hub (the hub carries AAC); Opus carried by the hub comes through the format instead. */
    private readonly transcodedAudio?: OpusSource,
  ) {
    super(pc, log, settings);
    if (senders.video !== undefined) {
      this.video = new TrackOut(senders.video);
      senders.video.onPictureLossIndication.subscribe(() => this.wantKeyframe());
    }
    if (senders.audio !== undefined) this.audio = new TrackOut(senders.audio);
  }

  /** Per-track delivery figures for the sessions API. */
  stats(): { video: TrackOutStats | null; audio: TrackOutStats | null } {
    return { video: this.video?.stats(90_000) ?? null, audio: this.audio?.stats(48_000) ?? null };
  }

  protected connected(): void {
    if (this.subscription !== undefined) return;
    const sink: ByteSink = {
      write: (bytes) => this.sendRecords(bytes),
      // UDP has no send buffer to watch; congestion shows in RTCP feedback instead
      bufferedBytes: 0,
      close: () => this.end('stream-ended'),
    };
    const remoteAddress = this.pc.iceTransports[0]?.connection.nominated?.remoteAddr[0];
    this.subscription = this.stream.subscribe({ id: `whep-${this.id}`, protocol: 'webrtc', format: this.format, sink, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
    const audio = this.audio;
    if (this.transcodedAudio !== undefined && audio !== undefined) {
      this.stopAudio = this.transcodedAudio.subscribe((p) => audio.send(p.data, Math.round(p.ms * 48) >>> 0, false));
    }
    this.wantKeyframe();
    this.log.info({ stream_id: this.stream.id, resource: this.id }, 'whep viewer connected');
  }

  protected detach(_reason: ResourceEndReason): void {
    this.stopAudio?.();
    this.stopAudio = undefined;
    const sub = this.subscription;
    this.subscription = undefined;
    sub?.unsubscribe();
  }

  private sendRecords(bytes: Buffer): void {
    if (this.closed) return;
    for (const r of this.format.recordsOf(bytes)) (r.audio ? this.audio : this.video)?.send(r.payload, r.timestamp, r.marker);
  }
}
