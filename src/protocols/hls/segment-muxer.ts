import type { AudioTrackInfo, MediaFrame, VideoTrackInfo } from '../../media/index.js';

/** The tracks a rendition carries, from their configuration frames and what the hub parsed of them. */
export interface TrackSet {
  video?: { config: MediaFrame; info: VideoTrackInfo };
  audio?: { config: MediaFrame; info: AudioTrackInfo };
}

/** Turns runs of frames into HLS media bytes in one container format. */
export interface SegmentMuxer {
  readonly container: 'fmp4' | 'mpegts';
  /** File extension of segments and parts. */
  readonly extension: 'm4s' | 'ts';
  /** The init segment (fMP4), or undefined for containers without one (MPEG-TS). */
  readonly init: Buffer | undefined;
  /** RFC 6381 CODECS attribute for the master playlist. */
  readonly codecs: string;
  /**
   * Bytes for one part; `segmentStart` marks the first part of a segment. `next` is the frame that
   * starts the following part, when known: it gives the last sample of its own track a duration.
   */
  mux(frames: readonly MediaFrame[], segmentStart: boolean, independent: boolean, next: MediaFrame | undefined): Buffer;
}
