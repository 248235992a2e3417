import type { MediaStreamTrack, RTCPeerConnection } from 'werift';
import type { Logger } from '../../../base/index.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from '../peer-resource.js';
import { PublishedAudio, PublishedVideo } from './published-tracks.js';
import { buildRemb } from './remb.js';
import type { RoomPublishPlan } from './room-codecs.js';

// Chromium takes a REMB at face value in its first seconds (no loss seen yet), so the first one
// goes out on connect; later ones keep the cap in force.
const REMB_INTERVAL_MS = 1000;

/** The rids of a video section's `a=simulcast:send` list, in the publisher's order (paused `~` rids included). */
export function simulcastRids(sdp: string, mid: string): string[] {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const section = sections.find((s) => new RegExp(`^a=mid:${mid.replace(/[^A-Za-z0-9]/g, '\\$&')}\\s*$`, 'm').test(s));
  const line = section !== undefined ? /^a=simulcast:send ([^\r\n ]+)/m.exec(section)?.[1] : undefined;
  if (line === undefined) return [];
  // alternatives ("q,r") name one layer; the first is the one we negotiate
  return line.split(';').map((alt) => (alt.split(',')[0] ?? '').replace(/^~/, '')).filter((r) => r.length > 0).slice(0, 3);
}

/**
 * A room participant's publishing peer: video (up to three simulcast layers) and audio in, each
 * packet handed to the participant's subscriptions by PublishedVideo / PublishedAudio.
 */
export class RoomPublisher extends PeerResource {
  readonly video: PublishedVideo | undefined;
  readonly audio: PublishedAudio | undefined;
  private rembTimer: NodeJS.Timeout | undefined;
  private readonly attached = new Set<MediaStreamTrack>();

  constructor(
    pc: RTCPeerConnection,
    plan: RoomPublishPlan,
    rids: readonly string[],
    onAudioLevel: (level: number, nowMs: number) => void,
    private readonly onConnected: () => void,
    /** What the publisher may send in all (REMB, every second): the room's cap per publisher. */
    private readonly maxBitrateBps: number,
    log: Logger,
    settings: PeerResourceSettings,
  ) {
    super(pc, log, settings);
    this.video = plan.video !== undefined ? new PublishedVideo(plan.video.codec, rids, (ssrc) => this.sendPli(ssrc)) : undefined;
    this.audio = plan.audio !== undefined ? new PublishedAudio(plan.audio.codec, onAudioLevel) : undefined;
    pc.onTrack.subscribe((track) => this.attach(track));
  }

  protected connected(): void {
    this.onConnected();
    if (this.video !== undefined && this.rembTimer === undefined) {
      this.sendRemb();
      this.rembTimer = setInterval(() => this.sendRemb(), REMB_INTERVAL_MS);
      this.rembTimer.unref();
    }
  }

  protected detach(_reason: ResourceEndReason): void {
    clearInterval(this.rembTimer);
    this.video?.close();
    this.audio?.close();
  }

  /** Answers the offer, then takes every simulcast layer: werift's onTrack reports only a transceiver's first one. */
  override async answer(offer: string): Promise<string> {
    const sdp = await super.answer(offer);
    for (const t of this.pc.getTransceivers()) for (const track of t.receiver.tracks) this.attach(track);
    return sdp;
  }

  private attach(track: MediaStreamTrack): void {
    if (this.attached.has(track)) return;
    this.attached.add(track);
    if (track.kind === 'video') this.video?.attach(track);
    else if (track.kind === 'audio') this.audio?.attach(track);
  }

  private sendRemb(): void {
    const receiver = this.pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    const ssrcs = this.video?.ssrcs() ?? [];
    if (receiver === undefined || ssrcs.length === 0) return;
    void receiver.dtlsTransport.sendRtcp([buildRemb(receiver.rtcpSsrc, this.maxBitrateBps, ssrcs)]).catch(() => undefined);
  }

  private sendPli(ssrc: number): void {
    const receiver = this.pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    void receiver?.sendRtcpPLI(ssrc).catch(() => undefined);
  }
}
