import type { HubFrame } from '../media/index.js';

/**
 * A serialization of frames for one output format. `encode` is called once per frame per format
 * (implementations cache the bytes on the frame), and the result is shared by every viewer.
 * Returning undefined means the format does not carry that frame.
 */
export interface FrameFormat {
  readonly name: string;
  encode(frame: HubFrame): Buffer | undefined;
  /**
   * Deliver every frame the moment it arrives instead of in the stream's batch. For transports
   * where a batch saves no syscall (WebRTC sends packet by packet over UDP) and latency is the point.
   */
  readonly realtime?: boolean;
}

/** Where a viewer's bytes go: a socket, an HTTP response or a WebSocket. */
export interface ByteSink {
  write(chunk: Buffer): void;
  /** Bytes accepted by write() but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /** Ends the viewer's connection; `reason` says why, for protocols that can tell the player. */
  close(reason: SubscriberEndReason): void;
}

/** Why a viewer stopped receiving a stream. */
export type SubscriberEndReason = 'stream-ended' | 'stream-failed' | 'too-slow' | 'unsubscribed' | 'server-stopping';

/** Protocols viewers use, as counted in the API. */
export type ViewerProtocol = 'rtmp' | 'flv' | 'ws-flv' | 'hls' | 'webrtc' | 'other';

export interface SubscribeOptions {
  id: string;
  protocol: ViewerProtocol;
  format: FrameFormat;
  sink: ByteSink;
  /** Bytes that go before the first frame, e.g. the FLV file header. */
  preamble?: Buffer;
  remoteAddress?: string;
}

/** What a viewer holds to leave a stream. */
export interface Subscription {
  readonly id: string;
  readonly protocol: ViewerProtocol;
  readonly remoteAddress: string | undefined;
  /** Frames dropped for this viewer because it fell behind. */
  readonly droppedFrames: number;
  unsubscribe(): void;
}

/** How far behind a viewer may fall before we skip frames for it, then before we drop it. */
export interface BackpressureLimits {
  /** Buffered bytes above which video is skipped until the next keyframe (audio is kept). */
  softLimitBytes: number;
  /** Buffered bytes above which the viewer is disconnected. */
  hardLimitBytes: number;
  /** Time a viewer may spend skipping before it is disconnected. */
  maxSkipMs: number;
}
