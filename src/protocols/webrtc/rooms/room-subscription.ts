import type { RTCPeerConnection } from 'werift';
import type { Logger } from '../../../base/index.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from '../peer-resource.js';
import { RtpOut } from '../rtp-out.js';
import { SenderFeedback } from '../sender-feedback.js';
import type { PublishedAudio, PublishedVideo } from './published-tracks.js';
import { SubscriptionForwarder, type SubscriptionOutput, type SubscriptionStats } from './subscription-forwarder.js';

/** What the room service needs of a subscription, whatever WebRTC stack carries it. */
export interface RoomSubscriptionPeer {
  readonly id: string;
  readonly closed: boolean;
  offer(): Promise<string>;
  acceptAnswer(answer: string): Promise<void>;
  setMaxHeight(maxHeight: number | undefined): void;
  stats(): SubscriptionStats;
  onceEnded(listener: (reason: ResourceEndReason) => void): void;
  end(reason: ResourceEndReason): void;
}

/** The werift side of a subscription: one sender per track, loss and REMB from its RTCP. */
class WeriftOutput implements SubscriptionOutput {
  constructor(
    private readonly video: RtpOut | undefined,
    private readonly audio: RtpOut | undefined,
    private readonly feedback: SenderFeedback | undefined,
  ) {}

  sendVideo(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    this.video?.send(payload, sequenceNumber, timestamp, marker);
  }

  sendAudio(payload: Buffer, sequenceNumber: number, timestamp: number, marker: boolean): void {
    this.audio?.send(payload, sequenceNumber, timestamp, marker);
  }

  takeLossFraction(nowMs: number): number {
    return this.feedback?.takeLossFraction(nowMs) ?? 0;
  }

  estimateBps(): number | undefined {
    return this.feedback?.rembBps;
  }

  get deliveredBps(): number | undefined {
    return undefined;
  }

  get rttMs(): number | undefined {
    return this.feedback?.rttMs;
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
}

/**
 * One subscriber receiving one publisher on werift: our offer carries the publisher's codecs; the
 * forwarding decisions are the SubscriptionForwarder's.
 */
export class RoomSubscription extends PeerResource implements RoomSubscriptionPeer {
  private readonly forwarder: SubscriptionForwarder;

  constructor(
    pc: RTCPeerConnection,
    publisherId: string,
    video: PublishedVideo | undefined,
    audio: PublishedAudio | undefined,
    options: { maxHeight?: number; onLayer: (layer: number, rid: string | null) => void },
    log: Logger,
    settings: PeerResourceSettings,
  ) {
    super(pc, log, settings);
    const videoSender = video !== undefined ? pc.addTransceiver('video', { direction: 'sendonly' }).sender : undefined;
    const audioSender = audio !== undefined ? pc.addTransceiver('audio', { direction: 'sendonly' }).sender : undefined;
    const output = new WeriftOutput(videoSender !== undefined ? new RtpOut(videoSender) : undefined, audioSender !== undefined ? new RtpOut(audioSender) : undefined, videoSender !== undefined ? new SenderFeedback(videoSender) : undefined);
    this.forwarder = new SubscriptionForwarder(this.id, publisherId, video, audio, output, options);
    videoSender?.onPictureLossIndication.subscribe(() => this.forwarder.pictureLost());
  }

  setMaxHeight(maxHeight: number | undefined): void {
    this.forwarder.setMaxHeight(maxHeight);
  }

  stats(): SubscriptionStats {
    return this.forwarder.stats();
  }

  protected connected(): void {
    this.forwarder.start();
  }

  protected detach(_reason: ResourceEndReason): void {
    this.forwarder.stop();
  }
}
