import { randomInt, randomUUID } from 'node:crypto';
import nodeDataChannel from 'node-datachannel';
import { ConnectionWatch } from './connection-watch.js';
import type { Logger } from '../../base/index.js';
import type { ByteSink, Stream, Subscription } from '../../hub/index.js';
import type { CodecPlan } from './codec-choice.js';
import { WebRtcRequestError } from './errors.js';
import type { IceFragment } from './ice-fragment.js';
import type { IceServerOptions } from './options.js';
import type { OpusSource } from './opus-source.js';
import type { PeerNetworkOptions } from './peer-factory.js';
import type { PeerResourceSettings, ResourceEndReason } from './peer-resource.js';
import { describeAndGather, NativeRtpOut, type RtxSettings } from './native-rtp-out.js';
import { addPublicIpCandidates } from './public-ip.js';
import { readRtcpFeedback } from './rtcp-feedback.js';
import { roundTripMs } from './sender-report.js';
import type { RtpFrameFormat } from './rtp-frame-format.js';
import type { TrackOutStats } from './whep-session.js';

/** How often a viewer's tracks send RTCP sender reports. */
const SENDER_REPORT_MS = 1000;

/** One outgoing track of a viewer: its own sequence and timestamp space over a NativeRtpOut. */
class NativeTrackOut {
  private sequence = randomInt(0, 0x10000);
  private readonly timestampOffset = randomInt(0, 0x100000000);
  readonly out: NativeRtpOut;
  report: { fractionLost: number; packetsLost: number; jitter: number } | undefined;
  /** From the viewer's receiver reports answering our sender reports. */
  rttMs: number | undefined;

  constructor(
    track: nodeDataChannel.Track,
    payloadType: number,
    private readonly clockRate: number,
    kind: 'video' | 'audio',
    rtx?: RtxSettings,
    ssrc?: number,
  ) {
    this.out = new NativeRtpOut(track, payloadType, kind, rtx, ssrc);
  }

  get ssrc(): number {
    return this.out.ssrc;
  }

  send(payload: Buffer, timestamp: number, marker: boolean): void {
    this.out.send(payload, this.sequence, (timestamp + this.timestampOffset) >>> 0, marker);
    this.sequence = (this.sequence + 1) & 0xffff;
  }

  stats(rttMs: number | null): TrackOutStats {
    return {
      packetsSent: this.out.packetsSent,
      bytesSent: this.out.bytesSent,
      packetsResent: this.out.packetsResent,
      lossFraction: this.report?.fractionLost ?? 0,
      packetsLost: this.report?.packetsLost ?? 0,
      jitterMs: Math.round(((this.report?.jitter ?? 0) / this.clockRate) * 10_000) / 10,
      rttMs: rttMs ?? (this.rttMs !== undefined ? Math.round(this.rttMs * 10) / 10 : null),
    };
  }
}

/**
 * A WHEP viewer on libdatachannel (node-datachannel): DTLS, SRTP and ICE run in native code (NACKs
 * are answered from NativeRtpOut's history), so one viewer costs a third of a werift one (bench
 * webrtc-fanout --mode send-cost). The hub side is the same as WhepSession's: one subscription
 * with the stream's shared RtpFrameFormat. Trickle candidates are taken; an ICE restart or a
 * counter-offer needs the werift transport.
 */
export class NativeWhepSession {
  readonly id = randomUUID();
  readonly createdAt = Date.now();
  private readonly pc: nodeDataChannel.PeerConnection;
  private readonly video: NativeTrackOut | undefined;
  private readonly audio: NativeTrackOut | undefined;
  private subscription: Subscription | undefined;
  private stopAudio: (() => void) | undefined;
  private ended = false;
  private state = 'new';
  private readonly onEnd: ((reason: ResourceEndReason) => void)[] = [];
  private readonly watch: ConnectionWatch;
  private reports: NodeJS.Timeout | undefined;

  constructor(
    readonly stream: Stream,
    private readonly format: RtpFrameFormat,
    plan: CodecPlan,
    private readonly wantKeyframe: () => void,
    private readonly log: Logger,
    private readonly settings: PeerResourceSettings,
    network: PeerNetworkOptions,
    iceServers: readonly IceServerOptions[],
    private readonly transcodedAudio?: OpusSource,
  ) {
    this.pc = new nodeDataChannel.PeerConnection(`whep-${this.id}`, {
      iceServers: iceServers.flatMap((s) => s.urls),
      enableIceTcp: false,
      ...(network.bindAddress !== undefined ? { bindAddress: network.bindAddress } : {}),
      ...(network.udpPortRange !== undefined ? { portRangeBegin: network.udpPortRange[0], portRangeEnd: network.udpPortRange[1] } : {}),
    });
    const v = plan.video;
    if (v !== undefined) {
      const media = new nodeDataChannel.Video(v.mid, 'SendOnly');
      media.addH264Codec(v.codec.payloadType, fmtpOf(v.codec.fmtp));
      const ssrc = randomInt(1, 0xffffffff);
      const rtx = v.rtx !== undefined ? { payloadType: v.rtx, ssrc: randomInt(1, 0xffffffff) } : undefined;
      media.addSSRC(ssrc, `zenlive-${this.id}`, 'zenlive', 'video');
      if (rtx !== undefined) {
        // RFC 4588: retransmissions on their own payload type and SSRC, tied to the media SSRC
        media.addRTXCodec(rtx.payloadType, v.codec.payloadType, 90_000);
        media.addSSRC(rtx.ssrc, `zenlive-${this.id}`, 'zenlive', 'video');
        media.parseSdpLine(`a=ssrc-group:FID ${ssrc} ${rtx.ssrc}`);
      }
      // all of it before addTrack, which takes its own copy of the description
      const out = new NativeTrackOut(this.pc.addTrack(media), v.codec.payloadType, 90_000, 'video', rtx, ssrc);
      this.video = out;
      out.out.track.onMessage((msg) => this.onRtcp(out, msg));
    }
    const a = plan.audio;
    if (a !== undefined) {
      const media = new nodeDataChannel.Audio(a.mid, 'SendOnly');
      media.addOpusCodec(a.codec.payloadType, fmtpOf(a.codec.fmtp));
      const ssrc = randomInt(1, 0xffffffff);
      media.addSSRC(ssrc, `zenlive-${this.id}`, 'zenlive', 'audio');
      const out = new NativeTrackOut(this.pc.addTrack(media), a.codec.payloadType, 48_000, 'audio', undefined, ssrc);
      this.audio = out;
      out.out.track.onMessage((msg) => this.onRtcp(out, msg));
    }
    this.pc.onStateChange((state) => this.onState(state));
    this.watch = new ConnectionWatch(settings, { connected: () => this.connected(), end: (reason) => this.end(reason) });
  }

  get closed(): boolean {
    return this.ended;
  }

  get connectionState(): string {
    return this.state;
  }

  /** The ICE session's tag (RFC 9725 §4.3.1), from our ufrag. */
  get etag(): string {
    return `"${/^a=ice-ufrag:(.*)$/m.exec(this.pc.localDescription()?.sdp ?? '')?.[1]?.trim() ?? ''}"`;
  }

  onceEnded(listener: (reason: ResourceEndReason) => void): void {
    this.onEnd.push(listener);
  }

  /** Applies the viewer's offer and returns our answer once every candidate is gathered. */
  async answer(offer: string): Promise<string> {
    const sdp = await describeAndGather(this.pc, () => this.pc.setRemoteDescription(offer, 'offer'));
    if (sdp === '') throw new WebRtcRequestError('WEBRTC_NEGOTIATION_FAILED', 'no answer was produced');
    return this.settings.publicIp !== undefined ? addPublicIpCandidates(sdp, this.settings.publicIp) : sdp;
  }

  async acceptAnswer(_answer: string): Promise<void> {
    throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', 'this resource is not waiting for an answer');
  }

  /** Trickle ICE: candidates are added; new credentials (an ICE restart) are refused. */
  async patch(fragment: IceFragment, ifMatch: string | undefined): Promise<string | undefined> {
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== this.etag) throw new WebRtcRequestError('WEBRTC_PRECONDITION_FAILED', 'If-Match does not name the current ICE session');
    const remoteUfrag = /^a=ice-ufrag:(.*)$/m.exec(this.pc.remoteDescription()?.sdp ?? '')?.[1]?.trim();
    // libdatachannel keeps one ICE session per peer; the viewer keeps playing on it (RFC 9725 §4.3.2)
    if (fragment.ufrag !== undefined && fragment.ufrag !== remoteUfrag) throw new WebRtcRequestError('WEBRTC_ICE_RESTART_UNSUPPORTED', 'ICE restarts are not offered on this viewer (streaming.webrtc.viewer_transport "native"); the session goes on as it was, or start a new WHEP session');
    for (const c of fragment.candidates) this.pc.addRemoteCandidate(c.candidate.replace(/^a=/, ''), c.mid ?? '0');
    return undefined;
  }

  stats(): { video: TrackOutStats | null; audio: TrackOutStats | null } {
    const rtt = this.pc.rtt();
    const rttMs = Number.isFinite(rtt) && rtt >= 0 ? rtt : null;
    return { video: this.video?.stats(rttMs) ?? null, audio: this.audio?.stats(rttMs) ?? null };
  }

  end(reason: ResourceEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.watch.stop();
    clearInterval(this.reports);
    this.log.info({ resource: this.id, reason }, 'webrtc resource ended');
    this.stopAudio?.();
    const sub = this.subscription;
    this.subscription = undefined;
    sub?.unsubscribe();
    try {
      this.pc.close();
    } finally {
      for (const l of this.onEnd.splice(0)) l(reason);
    }
  }

  private onState(state: string): void {
    this.state = state;
    if (!this.ended) this.watch.state(state);
  }

  private connected(): void {
    if (this.subscription !== undefined) return;
    const sink: ByteSink = {
      write: (bytes) => this.sendRecords(bytes),
      bufferedBytes: 0,
      close: () => this.end('stream-ended'),
    };
    const remoteAddress = this.pc.getSelectedCandidatePair()?.remote.address;
    this.subscription = this.stream.subscribe({ id: `whep-${this.id}`, protocol: 'webrtc', format: this.format, sink, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
    const audio = this.audio;
    if (this.transcodedAudio !== undefined && audio !== undefined) {
      this.stopAudio = this.transcodedAudio.subscribe((p) => audio.send(p.data, Math.round(p.ms * 48) >>> 0, false));
    }
    this.wantKeyframe();
    // sender reports about once a second (RFC 3550 §6.2 for a session this small)
    const cname = `zenlive-${this.id}`;
    this.reports = setInterval(() => {
      this.video?.out.report(cname);
      this.audio?.out.report(cname);
    }, SENDER_REPORT_MS);
    this.reports.unref();
    this.log.info({ stream_id: this.stream.id, resource: this.id, transport: 'native' }, 'whep viewer connected');
  }

  private sendRecords(bytes: Buffer): void {
    if (this.ended) return;
    for (const r of this.format.recordsOf(bytes)) (r.audio ? this.audio : this.video)?.send(r.payload, r.timestamp, r.marker);
  }

  private onRtcp(out: NativeTrackOut, msg: Buffer): void {
    const feedback = readRtcpFeedback(msg, out.ssrc);
    if (feedback.report !== undefined) {
      out.report = feedback.report;
      out.rttMs = roundTripMs(feedback.report, performance.timeOrigin + performance.now()) ?? out.rttMs;
    }
    if (feedback.nacks !== undefined) out.out.resend(feedback.nacks);
    if (feedback.keyframe && out === this.video) this.wantKeyframe();
  }
}

function fmtpOf(fmtp: Record<string, string>): string {
  return Object.entries(fmtp)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}
