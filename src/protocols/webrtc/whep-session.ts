import { randomInt } from 'node:crypto';
import type { RTCPeerConnection, RTCRtpSender } from 'werift';
import type { Logger } from '../../base/index.js';
import { DirectTrackOut } from './direct/index.js';
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

/** One outgoing track of a viewer, whichever way its packets leave. */
interface ViewerTrack {
  send(payload: Buffer, timestamp: number, marker: boolean): void;
  /** One frame's packets of this track; the marker goes on the last. */
  sendGroup(payloads: readonly Buffer[], timestamp: number, marker: boolean): void;
  stats(clockRate: number): TrackOutStats;
}

function feedbackStats(feedback: SenderFeedback, clockRate: number): Pick<TrackOutStats, 'lossFraction' | 'packetsLost' | 'jitterMs' | 'rttMs'> {
  return {
    lossFraction: feedback.takeLossFraction(performance.now()),
    packetsLost: feedback.totalLost,
    jitterMs: Math.round((feedback.jitter / clockRate) * 1000 * 10) / 10,
    rttMs: feedback.rttMs ?? null,
  };
}

/** Packets protected and sent by the native SRTP sender, a frame per call; werift keeps ICE, DTLS and RTCP. */
class DirectTrack implements ViewerTrack {
  private readonly out: DirectTrackOut;
  private readonly feedback: SenderFeedback;

  constructor(sender: RTCRtpSender, kind: 'video' | 'audio') {
    this.out = new DirectTrackOut(sender, kind);
    this.feedback = new SenderFeedback(sender);
  }

  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.out.send(payload, timestamp, marker);
  }

  sendGroup(payloads: readonly Buffer[], timestamp: number, marker: boolean): void {
    this.out.sendGroup(payloads, timestamp, marker);
  }

  stats(clockRate: number): TrackOutStats {
    return { packetsSent: this.out.packetsSent, bytesSent: this.out.bytesSent, packetsResent: this.out.packetsResent, ...feedbackStats(this.feedback, clockRate) };
  }
}

/** One outgoing track of a viewer: its own sequence and timestamp space over a shared RtpOut. */
class TrackOut implements ViewerTrack {
  private sequence = randomInt(0, 0x10000);
  private readonly timestampOffset = randomInt(0, 0x100000000);
  readonly out: RtpOut;
  readonly feedback: SenderFeedback;

  constructor(sender: RTCRtpSender) {
    this.out = new RtpOut(sender);
    this.feedback = new SenderFeedback(sender);
  }

  stats(clockRate: number): TrackOutStats {
    return { packetsSent: this.out.packetsSent, bytesSent: this.out.bytesSent, ...feedbackStats(this.feedback, clockRate) };
  }

  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.out.send(payload, this.sequence, (timestamp + this.timestampOffset) >>> 0, marker);
    this.sequence = (this.sequence + 1) & 0xffff;
  }

  sendGroup(payloads: readonly Buffer[], timestamp: number, marker: boolean): void {
    for (let i = 0; i < payloads.length; i++) this.send(payloads[i] as Buffer, timestamp, marker && i === payloads.length - 1);
  }
}

/**
 * A WHEP viewer on werift: once connected it subscribes to the hub stream with the stream's shared
 * RtpFrameFormat, starting from the GOP cache, and sends each RTP payload with its own headers —
 * through werift's senders, or (`direct`) protected and sent by the native SRTP sender a frame
 * per call while werift keeps ICE, DTLS and RTCP.
 */
export class WhepSession extends PeerResource {
  private subscription: Subscription | undefined;
  private video: ViewerTrack | undefined;
  private audio: ViewerTrack | undefined;
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
    direct = false,
  ) {
    super(pc, log, settings);
    if (senders.video !== undefined) {
      this.video = direct ? new DirectTrack(senders.video, 'video') : new TrackOut(senders.video);
      senders.video.onPictureLossIndication.subscribe(() => this.wantKeyframe());
    }
    if (senders.audio !== undefined) this.audio = direct ? new DirectTrack(senders.audio, 'audio') : new TrackOut(senders.audio);
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
    for (const g of this.format.groupsOf(bytes)) (g.audio ? this.audio : this.video)?.sendGroup(g.payloads, g.timestamp, g.marker);
  }
}
