import type { MediaStreamTrack, RTCPeerConnection } from 'werift';
import type { Logger } from '../../../base/index.js';
import { PeerResource, type PeerResourceSettings, type ResourceEndReason } from '../peer-resource.js';
import { PublishedAudio, PublishedVideo } from './published-tracks.js';
import type { RoomPublishPlan } from './room-codecs.js';

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

  constructor(
    pc: RTCPeerConnection,
    plan: RoomPublishPlan,
    rids: readonly string[],
    onAudioLevel: (level: number, nowMs: number) => void,
    private readonly onConnected: () => void,
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
  }

  protected detach(_reason: ResourceEndReason): void {
    this.video?.close();
    this.audio?.close();
  }

  private attach(track: MediaStreamTrack): void {
    if (track.kind === 'video') this.video?.attach(track);
    else if (track.kind === 'audio') this.audio?.attach(track);
  }

  private sendPli(ssrc: number): void {
    const receiver = this.pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    void receiver?.sendRtcpPLI(ssrc).catch(() => undefined);
  }
}
