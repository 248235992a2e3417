/** One Opus packet for WebRTC viewers, timed on the stream's timeline. */
export interface OpusPacket {
  data: Buffer;
  /** Presentation time in ms on the stream's timeline. */
  ms: number;
}

/** Opus that reaches WHEP viewers beside the hub: a WHIP publisher's own Opus, or AAC transcoded. */
export interface OpusSource {
  /** Calls `listener` with every Opus packet from now on; returns a function that stops it. */
  subscribe(listener: (packet: OpusPacket) => void): () => void;
}
