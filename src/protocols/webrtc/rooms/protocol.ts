import { z } from 'zod';
import { RoomError } from './errors.js';

/** Version every frame carries in `v`. */
export const RTC_PROTOCOL_VERSION = 1;

const ROOM_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const ID = z.string().min(1).max(128);
const SDP = z.string().min(1).max(64 * 1024);
const ref = z.string().max(64).optional();

/** What a client may send on `/ws/rtc` (v1); `ref` comes back in the answer or error. */
const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('join'), room: z.string().regex(ROOM_ID, 'room must be 1-128 of letters, digits, _ . : -'), name: z.string().min(1).max(64).optional(), ref }),
  z.object({ type: z.literal('publish'), sdp: SDP, ref }),
  z.object({ type: z.literal('unpublish'), ref }),
  z.object({ type: z.literal('subscribe'), participant: ID, maxHeight: z.number().int().min(0).max(4320).optional(), ref }),
  z.object({ type: z.literal('answer'), subscription: ID, sdp: SDP, ref }),
  z.object({ type: z.literal('unsubscribe'), subscription: ID, ref }),
  z.object({ type: z.literal('setVideo'), subscription: ID, maxHeight: z.number().int().min(0).max(4320), ref }),
  z.object({ type: z.literal('mute'), kind: z.enum(['audio', 'video']), muted: z.boolean(), ref }),
  z.object({ type: z.literal('leave'), ref }),
]);

export type RtcClientFrame = z.infer<typeof ClientFrame>;

/** A published track as other participants see it. */
export interface TrackInfo {
  kind: 'audio' | 'video';
  codec: string;
  muted: boolean;
  /** Simulcast layers by rid, lowest first; empty for a single-layer track. */
  layers: string[];
}

export interface ParticipantInfo {
  id: string;
  name: string;
  userId: string;
  tracks: TrackInfo[];
}

/** What the server sends (v1). */
export type RtcServerFrame =
  | { type: 'joined'; room: string; participant: ParticipantInfo; participants: ParticipantInfo[]; iceServers: { urls: string[]; username?: string; credential?: string }[]; ref?: string }
  | { type: 'participantJoined'; participant: ParticipantInfo }
  | { type: 'participantLeft'; participantId: string }
  | { type: 'tracks'; participantId: string; tracks: TrackInfo[] }
  | { type: 'publishAnswer'; sdp: string; ref?: string }
  | { type: 'subscribeOffer'; subscription: string; participantId: string; sdp: string; ref?: string }
  | { type: 'subscriptionEnded'; subscription: string; reason: string }
  | { type: 'layer'; subscription: string; layer: number; rid: string | null }
  | { type: 'activeSpeaker'; participantId: string | null }
  | { type: 'audioLevels'; levels: Record<string, number> }
  | { type: 'ack'; ref?: string }
  | { type: 'error'; code: string; message: string; ref?: string };

/** Parses one text frame; throws RoomError('ROOM_BAD_FRAME') naming the field for anything invalid. */
export function parseRtcClientFrame(text: string): RtcClientFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RoomError('ROOM_BAD_FRAME', 'frame is not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RoomError('ROOM_BAD_FRAME', 'frame must be a JSON object');
  const { v, ...rest } = raw as Record<string, unknown>;
  if (v !== RTC_PROTOCOL_VERSION) throw new RoomError('ROOM_BAD_FRAME', `unsupported protocol version ${JSON.stringify(v)}; this server speaks v${RTC_PROTOCOL_VERSION}`);
  const parsed = ClientFrame.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'type';
    const ref = typeof rest['ref'] === 'string' && rest['ref'].length <= 64 ? rest['ref'] : undefined;
    throw new RoomError('ROOM_BAD_FRAME', `${field}: ${issue?.message ?? 'invalid'}`, ref !== undefined ? { ref } : undefined);
  }
  return parsed.data;
}

/** Serialises a server frame with the protocol version. */
export function encodeRtcServerFrame(frame: RtcServerFrame): string {
  return JSON.stringify({ v: RTC_PROTOCOL_VERSION, ...frame });
}
