import type { AuthorizePlay, StreamOptions } from '../../hub/index.js';
import type { HlsFileSink } from './offload-writer.js';
import type { LadderOptions } from '../../transcode/index.js';

/** HLS settings, as the composition root derives them from config. */
export interface HlsOptions {
  container: 'fmp4' | 'mpegts';
  targetDurationMs: number;
  /** LL-HLS part target; 0 for plain HLS. */
  partTargetMs: number;
  /** Playlist window: how far back viewers can seek (DVR), at least a few segments. */
  windowMs: number;
  playlistType: 'live' | 'event';
  /** Directory for DVR history beyond the live edge; memory only when undefined. */
  diskPath?: string;
  /** Memory cap per rendition; the oldest segments go first when it is reached. */
  maxBytesPerRendition: number;
  /** How long a finished stream's playlist (with ENDLIST) stays available. */
  retainAfterEndMs: number;
  /** How long a blocking playlist reload may wait (RFC 8216bis suggests 3 target durations). */
  blockingTimeoutMs: number;
  /** An HLS session that fetched nothing for this long has left. */
  sessionTimeoutMs: number;
  corsOrigin: string;
  /** The ABR ladder; undefined serves the source rendition only. */
  ladder?: LadderOptions;
  /** GOP cache and backpressure settings for the streams transcoders produce. */
  derivedStreamOptions: StreamOptions;
  /** Copies segments and playlists to storage as they are made (S3 + a CDN can then serve viewers). */
  offload?: HlsFileSink;
  /** Checks every playlist and segment request (private streams need a playback token); open when undefined. */
  authorizePlay?: AuthorizePlay;
}
