import { randomUUID } from 'node:crypto';
import { encodeRtcServerFrame, type ParticipantInfo, type RtcServerFrame, type TrackInfo } from './protocol.js';
import type { RoomPublisher } from './room-publisher.js';
import type { RoomSubscriptionPeer } from './room-subscription.js';

/** Who a participant is, as auth saw it. */
export interface RoomIdentity {
  userId: string;
  name: string;
  role: string;
}

/** Sends one text frame to the participant's signaling socket. */
export type FrameSender = (text: string) => void;

/** One person in a room: their signaling socket, what they publish and what they watch. */
export class Participant {
  readonly id = randomUUID();
  publisher: RoomPublisher | undefined;
  readonly subscriptions = new Map<string, RoomSubscriptionPeer>();
  readonly muted = { audio: false, video: false };
  /** Smoothed audio level (0 loud … 127 silent, −dBov) for meters. */
  level = 127;

  constructor(
    readonly roomId: string,
    readonly identity: RoomIdentity,
    readonly name: string,
    private readonly sendText: FrameSender,
  ) {}

  send(frame: RtcServerFrame): void {
    this.sendText(encodeRtcServerFrame(frame));
  }

  tracks(): TrackInfo[] {
    const p = this.publisher;
    if (p === undefined || p.closed) return [];
    const out: TrackInfo[] = [];
    if (p.video !== undefined) out.push({ kind: 'video', codec: p.video.codec.name, muted: this.muted.video, layers: [...p.video.rids] });
    if (p.audio !== undefined) out.push({ kind: 'audio', codec: p.audio.codec.name, muted: this.muted.audio, layers: [] });
    return out;
  }

  info(): ParticipantInfo {
    return { id: this.id, name: this.name, userId: this.identity.userId, tracks: this.tracks() };
  }

  /** Ends everything this participant owns; the room tells the others. */
  close(): void {
    for (const s of [...this.subscriptions.values()]) s.end('deleted');
    this.subscriptions.clear();
    this.publisher?.end('deleted');
    this.publisher = undefined;
  }
}
