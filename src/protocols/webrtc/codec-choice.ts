import type { OfferedCodec, OfferedMedia } from './sdp-offer.js';

/**
 * Picks the H.264 format we can use from an offer: packetization-mode 1 (FU-A/STAP-A, what we
 * packetize), preferring the profile the stream was encoded with, then Constrained Baseline.
 * Decoders in browsers accept higher profiles than they advertise per payload type, so any
 * mode-1 entry is a usable last resort.
 */
export function chooseH264(codecs: readonly OfferedCodec[], profileIdc?: number): OfferedCodec | undefined {
  const mode1 = codecs.filter((c) => c.name === 'h264' && c.fmtp['packetization-mode'] === '1');
  const profileOf = (c: OfferedCodec): number => parseInt((c.fmtp['profile-level-id'] ?? '42e01f').slice(0, 2), 16);
  return (
    (profileIdc !== undefined ? mode1.find((c) => profileOf(c) === profileIdc) : undefined) ??
    mode1.find((c) => profileOf(c) === 0x42) ??
    mode1[0]
  );
}

/** Picks Opus (RFC 7587: always `opus/48000/2` in SDP). */
export function chooseOpus(codecs: readonly OfferedCodec[]): OfferedCodec | undefined {
  return codecs.find((c) => c.name === 'opus' && c.clockRate === 48000);
}

/** What we will use in each m-section of an offer: one payload type per mid, or none. */
export interface CodecPlan {
  /** `rtx`: the offer's RTX payload type for the chosen codec (RFC 4588), when it has one. */
  video?: { mid: string; codec: OfferedCodec; rtx?: number };
  audio?: { mid: string; codec: OfferedCodec };
  /** mid → payload types to keep in the offer handed to werift. */
  keep: Map<string, Set<number>>;
}

/**
 * Chooses H.264 and Opus in the first video and audio sections that carry a mid; with `allowVpx`
 * (publishers, whose VP8/VP9 is transcoded to H.264) VP8, then VP9 profile 0, when the section has
 * no usable H.264.
 */
export function planCodecs(media: readonly OfferedMedia[], profileIdc?: number, options: { allowVpx?: boolean } = {}): CodecPlan {
  const plan: CodecPlan = { keep: new Map() };
  for (const m of media) {
    if (m.mid === undefined) continue;
    if (m.kind === 'video' && plan.video === undefined) {
      const codec = chooseH264(m.codecs, profileIdc) ?? (options.allowVpx === true ? (m.codecs.find((c) => c.name === 'vp8') ?? m.codecs.find((c) => c.name === 'vp9' && (c.fmtp['profile-id'] ?? '0') === '0')) : undefined);
      if (codec !== undefined) {
        const rtx = m.codecs.find((c) => c.name === 'rtx' && c.fmtp['apt'] === String(codec.payloadType))?.payloadType;
        plan.video = { mid: m.mid, codec, ...(rtx !== undefined ? { rtx } : {}) };
        plan.keep.set(m.mid, new Set([codec.payloadType]));
      }
    } else if (m.kind === 'audio' && plan.audio === undefined) {
      const codec = chooseOpus(m.codecs);
      if (codec !== undefined) {
        plan.audio = { mid: m.mid, codec };
        plan.keep.set(m.mid, new Set([codec.payloadType]));
      }
    }
  }
  return plan;
}
