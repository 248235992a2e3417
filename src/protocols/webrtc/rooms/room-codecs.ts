import { chooseH264, chooseOpus } from '../codec-choice.js';
import type { OfferedCodec, OfferedMedia } from '../sdp-offer.js';

/** Video codecs a room forwards as they come: the SFU never decodes, so any of these works end to end. */
export type RoomVideoCodec = 'vp8' | 'h264' | 'vp9';

/** The codec a published track was negotiated with; subscribers are offered exactly this. */
export interface NegotiatedCodec {
  kind: 'video' | 'audio';
  name: RoomVideoCodec | 'opus';
  mimeType: string;
  clockRate: number;
  channels?: number;
  /** fmtp as `a=b;c=d`, passed to subscribers unchanged (profile, packetization mode). */
  parameters: string;
  payloadType: number;
}

const MIME: Record<NegotiatedCodec['name'], string> = { vp8: 'video/VP8', h264: 'video/H264', vp9: 'video/VP9', opus: 'audio/opus' };

/**
 * Picks the video codec of a room publisher's offer. VP8 first: every browser encodes it and
 * simulcasts it; then H.264 (packetization-mode 1) and VP9, so encoders without VP8 still join.
 */
export function chooseRoomVideo(codecs: readonly OfferedCodec[]): OfferedCodec | undefined {
  return codecs.find((c) => c.name === 'vp8') ?? chooseH264(codecs) ?? codecs.find((c) => c.name === 'vp9' && (c.fmtp['profile-id'] ?? '0') === '0');
}

/** A room publisher's plan: one codec per audio and video section, by mid. */
export interface RoomPublishPlan {
  video?: { mid: string; codec: NegotiatedCodec };
  audio?: { mid: string; codec: NegotiatedCodec };
  keep: Map<string, Set<number>>;
}

/** Chooses codecs in the first audio and video sections of a publisher's offer. */
export function planRoomPublish(media: readonly OfferedMedia[]): RoomPublishPlan {
  const plan: RoomPublishPlan = { keep: new Map() };
  for (const m of media) {
    if (m.mid === undefined) continue;
    if (m.kind === 'video' && plan.video === undefined) {
      const c = chooseRoomVideo(m.codecs);
      if (c !== undefined) {
        plan.video = { mid: m.mid, codec: negotiated('video', c) };
        plan.keep.set(m.mid, new Set([c.payloadType]));
      }
    } else if (m.kind === 'audio' && plan.audio === undefined) {
      const c = chooseOpus(m.codecs);
      if (c !== undefined) {
        plan.audio = { mid: m.mid, codec: negotiated('audio', c) };
        plan.keep.set(m.mid, new Set([c.payloadType]));
      }
    }
  }
  return plan;
}

function negotiated(kind: 'video' | 'audio', c: OfferedCodec): NegotiatedCodec {
  const name = c.name as NegotiatedCodec['name'];
  return {
    kind,
    name,
    mimeType: MIME[name],
    clockRate: c.clockRate,
    ...(c.channels !== undefined ? { channels: c.channels } : {}),
    parameters: Object.entries(c.fmtp)
      .map(([k, v]) => `${k}=${v}`)
      .join(';'),
    payloadType: c.payloadType,
  };
}
