import { TsMuxer, type MediaFrame } from '../../media/index.js';
import type { SegmentMuxer, TrackSet } from './segment-muxer.js';

/** MPEG-TS segments for players that predate fMP4 (old set-top boxes); parts are TS byte runs too. */
class TsSegmentMuxer implements SegmentMuxer {
  readonly container = 'mpegts' as const;
  readonly extension = 'ts' as const;
  readonly init = undefined;
  readonly codecs: string;

  constructor(
    private readonly muxer: TsMuxer,
    tracks: TrackSet,
  ) {
    this.codecs = [tracks.video?.info.codecString, tracks.audio?.info.codecString].filter((c) => c !== undefined).join(',');
    if (tracks.video !== undefined) muxer.writeFrame(tracks.video.config);
    if (tracks.audio !== undefined) muxer.writeFrame(tracks.audio.config);
  }

  mux(frames: readonly MediaFrame[], segmentStart: boolean, independent: boolean): Buffer {
    const parts: Buffer[] = [];
    // PAT/PMT at every segment and every independent part: a player may start at either.
    if (segmentStart || independent) parts.push(this.muxer.segmentStart());
    for (const f of frames) parts.push(this.muxer.writeFrame(f));
    parts.push(this.muxer.flush());
    return Buffer.concat(parts);
  }
}

/** Builds the MPEG-TS muxer for a track set (H.264/HEVC video, AAC audio). */
export function createTsSegmentMuxer(tracks: TrackSet): SegmentMuxer {
  const video = tracks.video?.info.codec;
  const muxer = new TsMuxer({
    ...(video === 'h264' || video === 'h265' ? { video } : {}),
    ...(tracks.audio?.info.codec === 'aac' ? { audio: 'aac' as const } : {}),
  });
  return new TsSegmentMuxer(muxer, tracks);
}
