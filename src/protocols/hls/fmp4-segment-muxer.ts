import { buildFragment, buildInitSegment, mp4Codecs, mp4TrackFromConfig, type FragmentRun, type MediaFrame, type Mp4Track } from '../../media/index.js';
import type { SegmentMuxer, TrackSet } from './segment-muxer.js';

/** CMAF-style fMP4: one init segment, then each part is a moof+mdat (a segment is its parts in a row). */
export class Fmp4SegmentMuxer implements SegmentMuxer {
  readonly container = 'fmp4' as const;
  readonly extension = 'm4s' as const;
  readonly init: Buffer;
  readonly codecs: string;
  private readonly video: Mp4Track | undefined;
  private readonly audio: Mp4Track | undefined;
  private sequence = 1;

  constructor(tracks: TrackSet) {
    let id = 1;
    this.video = tracks.video !== undefined ? mp4TrackFromConfig(tracks.video.config, tracks.video.info, id++) : undefined;
    this.audio = tracks.audio !== undefined ? mp4TrackFromConfig(tracks.audio.config, tracks.audio.info, id++) : undefined;
    const all = [this.video, this.audio].filter((t): t is Mp4Track => t !== undefined);
    this.init = buildInitSegment(all);
    this.codecs = mp4Codecs(all);
  }

  mux(frames: readonly MediaFrame[], _segmentStart: boolean, _independent: boolean, next: MediaFrame | undefined): Buffer {
    const runs: FragmentRun[] = [];
    const video = frames.filter((f) => f.kind === 'video' && !f.config);
    const audio = frames.filter((f) => f.kind === 'audio' && !f.config);
    // Only the next frame of the same track tells a track's last sample duration; a part cut by an
    // audio frame must not shorten the last video sample (players would see a hole between parts).
    const nextOf = (kind: 'video' | 'audio'): { nextDts?: number } => (next?.kind === kind ? { nextDts: next.dts } : {});
    if (this.video !== undefined && video.length > 0) runs.push({ track: this.video, frames: video, ...nextOf('video') });
    if (this.audio !== undefined && audio.length > 0) runs.push({ track: this.audio, frames: audio, ...nextOf('audio') });
    if (runs.length === 0) return Buffer.alloc(0);
    return buildFragment(this.sequence++, runs);
  }
}
