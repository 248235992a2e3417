import type { FrameSender, Participant, RoomIdentity } from './participant.js';
import type { RtcClientFrame } from './protocol.js';
import type { SubscriptionStats } from './subscription-forwarder.js';

/** What a room action needs from auth. */
export type RoomAction = 'join' | 'publish' | 'subscribe';

/** A room as the stats API shows it. */
export interface RoomSnapshot {
  id: string;
  /** The worker thread hosting the room, when rooms run on workers (`streaming.webrtc.room_workers`). */
  worker?: number;
  participants: {
    id: string;
    name: string;
    userId: string;
    tracks: ReturnType<Participant['tracks']>;
    layers: { rid: string | null; bitrateBps: number; active: boolean; height: number | undefined }[];
    subscriptions: SubscriptionStats[];
  }[];
}

/** One signaling connection: who it is and, once joined, its participant. */
export interface ConnectionState {
  connectionId: number;
  identity: RoomIdentity | undefined;
  send: FrameSender;
  participant: Participant | undefined;
}

/**
 * Where rooms run, as signaling and the stats API see it: in this thread (RoomService) or spread
 * over worker threads (RoomWorkerPool). Frames of one connection are handed over one at a time,
 * in order; a RoomError thrown (or rejected) is the client's mistake and goes back to it.
 */
export interface RoomHost {
  handle(state: ConnectionState, frame: RtcClientFrame): Promise<void>;
  /** The signaling socket closed: the participant leaves. */
  disconnected(state: ConnectionState): void | Promise<void>;
  list(): RoomSnapshot[] | Promise<RoomSnapshot[]>;
  snapshot(roomId: string): RoomSnapshot | undefined | Promise<RoomSnapshot | undefined>;
  close(): void | Promise<void>;
}
