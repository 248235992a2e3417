import { randomInt, randomUUID } from 'node:crypto';
import nodeDataChannel from 'node-datachannel';
import { ConnectionWatch } from '../connection-watch.js';
import type { Logger } from '../../../base/index.js';
import type { IceServerOptions } from '../options.js';
import type { PeerNetworkOptions } from '../peer-factory.js';
import type { PeerResourceSettings, ResourceEndReason } from '../peer-resource.js';
import { describeAndGather, NativeRtpOut } from '../native-rtp-out.js';
import { addPublicIpCandidates } from '../public-ip.js';
import { readRtcpFeedback } from '../rtcp-feedback.js';
import { parseSdpOffer } from '../sdp-offer.js';
import { SendSideEstimator } from '../sfu/index.js';
import type { PublishedAudio, PublishedVideo } from './published-tracks.js';
import type { NegotiatedCodec } from './room-codecs.js';
import type { RoomSubscriptionPeer } from './room-subscription.js';
import { SubscriptionForwarder, type SubscriptionOutput, type SubscriptionStats } from './subscription-forwarder.js';

const ANSWER_RETRIES = 20;
const ANSWER_RETRY_MS = 100;
/** A receiver report older than this no longer describes the path. */
const REPORT_STALE_MS = 3000;
/** How often a subscription's tracks send RTCP sender reports. */
const SENDER_REPORT_MS = 1000;
/** The header extension carrying transport-wide sequence numbers, and the id we offer it under. */
const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const TRANSPORT_CC_ID = 3;

/** A subscriber's outgoing track and what its receiver reports say about it. */
class NativeOut extends NativeRtpOut {
  loss = 0;
  lossAt = -Infinity;
}

function addCodec(media: nodeDataChannel.Video | nodeDataChannel.Audio, c: NegotiatedCodec): void {
  if (media instanceof nodeDataChannel.Audio) media.addOpusCodec(c.payloadType, c.parameters !== '' ? c.parameters : undefined);
  else if (c.name === 'h264') media.addH264Codec(c.payloadType, c.parameters);
  else if (c.name === 'vp9') media.addVP9Codec(c.payloadType);
  else media.addVP8Codec(c.payloadType);
  // transport-wide sequence numbers in every packet, so the subscriber's feedback drives our estimate
  media.parseSdpLine(`a=extmap:${TRANSPORT_CC_ID} ${TRANSPORT_CC_URI}`);
  media.parseSdpLine(`a=rtcp-fb:${c.payloadType} transport-cc`);
}

/** A payload type for RTX (RFC 4588) that the offer does not use yet. */
function freePayloadType(used: readonly number[]): number {
  for (let pt = 96; pt <= 127; pt++) if (!used.includes(pt)) return pt;
  return 127;
}

/**
 * One subscriber receiving one publisher on libdatachannel (node-datachannel): DTLS, SRTP and ICE
 * in native code. NACKs are answered from NativeRtpOut's history, on RTX when the subscriber takes
 * it; every packet carries a transport-wide sequence number, and the subscriber's transport-wide
 * CC feedback drives a send-side estimate (queuing delay, what got through, loss) for the layer
 * choice. We offer the publisher's codecs; the forwarding decisions are the SubscriptionForwarder's.
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
  /** Offered retransmission stream of the video, used once the answer keeps it. */
  private readonly offeredRtx: { payloadType: number; ssrc: number } | undefined;
  private readonly estimator = new SendSideEstimator();
  /** Set once the subscriber's answer takes transport-wide CC; until then loss comes from receiver reports. */
  private transportWide = false;
  private lastFeedbackCount = -1;
  private reports: NodeJS.Timeout | undefined;

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
    // SSRCs, RTX and extensions go in before addTrack, which takes its own copy of the description
    if (video !== undefined) {
      const media = new nodeDataChannel.Video('0', 'SendOnly');
      addCodec(media, video.codec);
      const ssrc = randomInt(1, 0xffffffff);
      media.addSSRC(ssrc, cname, publisherId, 'video');
      const rtx = { payloadType: freePayloadType([video.codec.payloadType, ...(audio !== undefined ? [audio.codec.payloadType] : [])]), ssrc: randomInt(1, 0xffffffff) };
      media.addRTXCodec(rtx.payloadType, video.codec.payloadType, video.codec.clockRate);
      media.addSSRC(rtx.ssrc, cname, publisherId, 'video');
      media.parseSdpLine(`a=ssrc-group:FID ${ssrc} ${rtx.ssrc}`);
      this.offeredRtx = rtx;
      const out = new NativeOut(this.pc.addTrack(media), video.codec.payloadType, 'video', undefined, ssrc);
      out.track.onMessage((msg) => this.onRtcp(out, msg));
      this.video = out;
    }
    if (audio !== undefined) {
      const media = new nodeDataChannel.Audio(video !== undefined ? '1' : '0', 'SendOnly');
      addCodec(media, audio.codec);
      const ssrc = randomInt(1, 0xffffffff);
      media.addSSRC(ssrc, cname, publisherId, 'audio');
      const out = new NativeOut(this.pc.addTrack(media), audio.codec.payloadType, 'audio', undefined, ssrc);
      out.track.onMessage((msg) => this.onRtcp(out, msg));
      this.audio = out;
    }
    this.forwarder = new SubscriptionForwarder(this.id, publisherId, video, audio, this, options);
    this.pc.onStateChange((state) => this.onState(state));
    this.watch = new ConnectionWatch(settings, { connected: () => this.connected(cname), end: (reason) => this.end(reason) });
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
        break;
      } catch (err) {
        if (attempt >= ANSWER_RETRIES || !/ICE transport/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, ANSWER_RETRY_MS));
      }
    }
    this.takeAnswerFeatures(answer);
  }

  /** What of our offer's extras the subscriber kept: RTX for the video, transport-wide CC for both. */
  private takeAnswerFeatures(answer: string): void {
    const media = parseSdpOffer(answer);
    const rtx = this.offeredRtx;
    const video = media.find((m) => m.kind === 'video');
    if (rtx !== undefined && video?.codecs.some((c) => c.payloadType === rtx.payloadType && c.name === 'rtx') === true) this.video?.useRtx(rtx);
    for (const [m, out] of [[video, this.video], [media.find((x) => x.kind === 'audio'), this.audio]] as const) {
      const ext = m?.extensions.find((e) => e.uri === TRANSPORT_CC_URI);
      if (ext === undefined || out === undefined) continue;
      out.useTransportWideCc(ext.id, this.estimator);
      this.transportWide = true;
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
    clearInterval(this.reports);
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
    const report = v !== undefined && nowMs - v.lossAt < REPORT_STALE_MS ? v.loss : 0;
    // transport-wide feedback comes every ~100 ms and covers audio and RTX too: fresher than reports
    const transportWide = this.transportWide ? this.estimator.takeLossFraction() : undefined;
    return transportWide ?? report;
  }

  /**
   * Our own estimate from transport-wide CC feedback, not the subscriber's REMB: Chromium's
   * receive-side estimator never grows past 1.5× what arrives, so after a bottleneck the top layer
   * stayed off for tens of seconds (measured in the simulcast test).
   */
  estimateBps(nowMs: number): number | undefined {
    return this.transportWide ? this.estimator.estimateBps(nowMs) : undefined;
  }

  get deliveredBps(): number | undefined {
    return this.transportWide ? this.estimator.deliveredBps : undefined;
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
    const fb = feedback.transportFeedback;
    // one feedback may reach both tracks (it names one SSRC of the transport); take it once
    if (fb !== undefined && fb.feedbackCount !== this.lastFeedbackCount) {
      this.lastFeedbackCount = fb.feedbackCount;
      this.estimator.onFeedback(fb, performance.now());
    }
    if (feedback.keyframe && out === this.video) this.forwarder.pictureLost();
  }

  /** Forwarding starts, and sender reports about once a second (players sync audio and video from them). */
  private connected(cname: string): void {
    this.forwarder.start();
    if (this.reports !== undefined) return;
    this.reports = setInterval(() => {
      this.video?.report(cname);
      this.audio?.report(cname);
    }, SENDER_REPORT_MS);
    this.reports.unref();
  }

  private onState(state: string): void {
    if (!this.ended) this.watch.state(state);
  }
}
