import { randomUUID } from 'node:crypto';
import nodeDataChannel from 'node-datachannel';
import { ConnectionWatch } from '../connection-watch.js';
import type { Logger } from '../../../base/index.js';
import type { IceServerOptions } from '../options.js';
import type { PeerNetworkOptions } from '../peer-factory.js';
import type { PeerResourceSettings, ResourceEndReason } from '../peer-resource.js';
import { describeAndGather, NativeRtpOut } from '../native-rtp-out.js';
import { addPublicIpCandidates } from '../public-ip.js';
import { readRtcpFeedback } from '../rtcp-feedback.js';
import type { PublishedAudio, PublishedVideo } from './published-tracks.js';
import type { NegotiatedCodec } from './room-codecs.js';
import type { RoomSubscriptionPeer } from './room-subscription.js';
import { SubscriptionForwarder, type SubscriptionOutput, type SubscriptionStats } from './subscription-forwarder.js';

const ANSWER_RETRIES = 20;
const ANSWER_RETRY_MS = 100;
/** A receiver report older than this no longer describes the path. */
const REPORT_STALE_MS = 3000;

/** A subscriber's outgoing track and what its receiver reports say about it. */
class NativeOut extends NativeRtpOut {
  loss = 0;
  lossAt = -Infinity;
}

function addCodec(media: nodeDataChannel.Video | nodeDataChannel.Audio, c: NegotiatedCodec): void {
  if (media instanceof nodeDataChannel.Audio) {
    media.addOpusCodec(c.payloadType, c.parameters !== '' ? c.parameters : undefined);
    return;
  }
  if (c.name === 'h264') media.addH264Codec(c.payloadType, c.parameters);
  else if (c.name === 'vp9') media.addVP9Codec(c.payloadType);
  else media.addVP8Codec(c.payloadType);
}

/**
 * One subscriber receiving one publisher on libdatachannel (node-datachannel): DTLS, SRTP and ICE
 * in native code (NACKs answered from NativeRtpOut's history). We offer the publisher's codecs; the forwarding decisions are the SubscriptionForwarder's.
 */
export class NativeRoomSubscription implements RoomSubscriptionPeer, SubscriptionOutput {
  readonly id = randomUUID();
  private readonly pc: nodeDataChannel.PeerConnection;
  private readonly video: NativeOut | undefined;
  private readonly audio: NativeOut | undefined;
  private readonly forwarder: SubscriptionForwarder;
  private ended = false;
  private readonly onEnd: ((reason: ResourceEndReason) => void)[] = [];
  private readonly watch: ConnectionWatch;

  constructor(
    publisherId: string,
    video: PublishedVideo | undefined,
    audio: PublishedAudio | undefined,
    options: { maxHeight?: number; onLayer: (layer: number, rid: string | null) => void },
    private readonly log: Logger,
    private readonly settings: PeerResourceSettings,
    network: PeerNetworkOptions,
    iceServers: readonly IceServerOptions[],
  ) {
    this.pc = new nodeDataChannel.PeerConnection(`room-${this.id}`, {
      iceServers: iceServers.flatMap((s) => s.urls),
      enableIceTcp: false,
      disableAutoNegotiation: true,
      ...(network.bindAddress !== undefined ? { bindAddress: network.bindAddress } : {}),
      ...(network.udpPortRange !== undefined ? { portRangeBegin: network.udpPortRange[0], portRangeEnd: network.udpPortRange[1] } : {}),
    });
    const cname = `zenlive-${this.id}`;
    if (video !== undefined) {
      const media = new nodeDataChannel.Video('0', 'SendOnly');
      addCodec(media, video.codec);
      const out = new NativeOut(this.pc.addTrack(media), video.codec.payloadType, 'video');
      media.addSSRC(out.ssrc, cname, publisherId, 'video');
      out.track.onMessage((msg) => this.onRtcp(out, msg));
      this.video = out;
    }
    if (audio !== undefined) {
      const media = new nodeDataChannel.Audio(video !== undefined ? '1' : '0', 'SendOnly');
      addCodec(media, audio.codec);
      const out = new NativeOut(this.pc.addTrack(media), audio.codec.payloadType, 'audio');
      media.addSSRC(out.ssrc, cname, publisherId, 'audio');
      out.track.onMessage((msg) => this.onRtcp(out, msg));
      this.audio = out;
    }
    this.forwarder = new SubscriptionForwarder(this.id, publisherId, video, audio, this, options);
    this.pc.onStateChange((state) => this.onState(state));
    this.watch = new ConnectionWatch(settings, { connected: () => this.forwarder.start(), end: (reason) => this.end(reason) });
  }

  get closed(): boolean {
    return this.ended;
  }

  async offer(): Promise<string> {
    const sdp = await describeAndGather(this.pc, () => this.pc.setLocalDescription('offer'));
    if (sdp === '') throw new Error('no offer was produced');
    return this.settings.publicIp !== undefined ? addPublicIpCandidates(sdp, this.settings.publicIp) : sdp;
  }

  async acceptAnswer(answer: string): Promise<void> {
    // libdatachannel builds the ICE transport of our offer on its own threads; on a loaded machine an
    // answer can arrive first ("remote candidate without ICE transport"): give it a moment and retry
    for (let attempt = 0; ; attempt++) {
      try {
        this.pc.setRemoteDescription(answer, 'answer');
        return;
      } catch (err) {
        if (attempt >= ANSWER_RETRIES || !/ICE transport/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, ANSWER_RETRY_MS));
      }
    }
  }

  setMaxHeight(maxHeight: number | undefined): void {
    this.forwarder.setMaxHeight(maxHeight);
  }

  stats(): SubscriptionStats {
    return this.forwarder.stats();
  }

  onceEnded(listener: (reason: ResourceEndReason) => void): void {
    this.onEnd.push(listener);
  }

  end(reason: ResourceEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.watch.stop();
    this.forwarder.stop();
    this.log.info({ resource: this.id, reason }, 'room subscription ended');
    try {
      this.pc.close();
    } finally {
      for (const l of this.onEnd.splice(0)) l(reason);
    }
  }

  // SubscriptionOutput: what the forwarder sends through and reads back
  sendVideo(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    this.video?.send(payload, sequenceNumber, timestamp, marker);
  }

  sendAudio(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    this.audio?.send(payload, sequenceNumber, timestamp, marker);
  }

  takeLossFraction(nowMs: number): number {
    const v = this.video;
    return v !== undefined && nowMs - v.lossAt < REPORT_STALE_MS ? v.loss : 0;
  }

  /**
   * Not used for the layer choice: Chromium's REMB toward libdatachannel comes from its
   * receive-side estimator, which recovers so slowly after congestion that the top layer stayed
   * off for tens of seconds after a bottleneck lifted (measured in the simulcast test); loss drives it.
   */
  get rembBps(): number | undefined {
    return undefined;
  }

  get rttMs(): number | undefined {
    const rtt = this.pc.rtt();
    return Number.isFinite(rtt) && rtt >= 0 ? rtt : undefined;
  }

  get videoPacketsSent(): number {
    return this.video?.packetsSent ?? 0;
  }

  get audioPacketsSent(): number {
    return this.audio?.packetsSent ?? 0;
  }

  get bytesSent(): number {
    return (this.video?.bytesSent ?? 0) + (this.audio?.bytesSent ?? 0);
  }

  private onRtcp(out: NativeOut, msg: Buffer): void {
    const feedback = readRtcpFeedback(msg, out.ssrc);
    if (feedback.report !== undefined) {
      out.loss = feedback.report.fractionLost;
      out.lossAt = performance.now();
    }
    if (feedback.nacks !== undefined) out.resend(feedback.nacks);
    if (feedback.keyframe && out === this.video) this.forwarder.pictureLost();
  }

  private onState(state: string): void {
    if (!this.ended) this.watch.state(state);
  }
}
