import { EventEmitter } from 'node:events';
import type { HubFrame, MediaFrame } from '../../media/index.js';
import type { SegmentMuxer, TrackSet } from './segment-muxer.js';

/** When to cut segments and parts. */
export interface SegmenterOptions {
  targetDurationMs: number;
  /** Part target for LL-HLS; 0 makes one part per segment (plain HLS). */
  partTargetMs: number;
  /** How long an audio-only publisher's audio is buffered before we stop waiting for video. */
  audioOnlyAfterMs?: number;
}

/** One finished part: a run of frames muxed into bytes. */
export interface CutPart {
  bytes: Buffer;
  startDts: number;
  durationMs: number;
  /** Starts with a keyframe (or carries no video): a player may start decoding here. */
  independent: boolean;
  /** First part of a new segment. */
  segmentStart: boolean;
  /** Last part of its segment: the segment is complete with it. */
  segmentEnd: boolean;
  /** Wall-clock time the part's first frame reached the segmenter (PROGRAM-DATE-TIME). */
  wallClockStart: number;
  /** The tracks changed before this segment: players must reset (EXT-X-DISCONTINUITY and a new map). */
  discontinuity: boolean;
}

export interface SegmenterEvents {
  /** A new muxer (new init segment) takes effect from the next part. */
  muxer: [muxer: SegmentMuxer];
  part: [part: CutPart];
  /** The open segment is complete: its last part went out earlier and a keyframe starts the next one. */
  segmentEnd: [];
}

/**
 * Cuts a stream's frames into LL-HLS parts and segments: segments start on a video keyframe once
 * the target duration is reached. A part is cut as soon as the video frame that fills it arrives
 * (the next frame would carry it past the part target), not when that next frame turns up: a
 * blocking playlist reload is answered one frame interval sooner.
 */
export class Segmenter extends EventEmitter<SegmenterEvents> {
  private tracks: TrackSet = {};
  private muxer: SegmentMuxer | undefined;
  private pending: MediaFrame[] = [];
  private partStart = 0;
  private partWallClock = 0;
  private segmentStart: number | undefined;
  private nextPartStartsSegment = true;
  private nextDiscontinuity = false;
  private waitingForKeyframe = true;
  private videoFrameMs = 33;
  private lastVideoDts: number | undefined;
  private firstAudioDts: number | undefined;
  private readonly audioOnlyAfterMs: number;

  constructor(
    private readonly options: SegmenterOptions,
    private readonly createMuxer: (tracks: TrackSet) => SegmentMuxer,
    private readonly describe: (config: MediaFrame) => TrackSet['video'] | TrackSet['audio'],
  ) {
    super();
    this.audioOnlyAfterMs = options.audioOnlyAfterMs ?? 1000;
  }

  get currentMuxer(): SegmentMuxer | undefined {
    return this.muxer;
  }

  push(frame: HubFrame): void {
    if (frame.kind === 'metadata') return;
    if (frame.config) {
      this.onConfig(frame);
      return;
    }
    if (this.muxer === undefined && !this.startMuxer(frame)) return;
    if (this.waitingForKeyframe) {
      if (this.tracks.video === undefined) this.waitingForKeyframe = false;
      else if (frame.kind === 'video' && frame.keyframe) this.waitingForKeyframe = false;
      else return;
    }
    if (frame.kind === 'video') this.noteVideoTiming(frame.dts);
    this.cutBefore(frame);
    if (this.segmentStart === undefined) {
      this.segmentStart = frame.dts;
      this.partStart = frame.dts;
    }
    if (this.pending.length === 0) this.partWallClock = Date.now();
    this.pending.push(frame);
    this.cutAfter(frame);
  }

  /** Closes the open part and segment at `endDts` (stream ended, or tracks changed). */
  flush(endDts?: number): void {
    if (this.pending.length === 0 || this.segmentStart === undefined) return;
    const last = this.pending[this.pending.length - 1] as MediaFrame;
    this.closePart(endDts ?? last.dts + (last.kind === 'video' ? this.videoFrameMs : 23), true, undefined);
    this.segmentStart = undefined;
    this.nextPartStartsSegment = true;
  }

  private cutBefore(frame: MediaFrame): void {
    if (this.segmentStart === undefined) return;
    const hasVideo = this.tracks.video !== undefined;
    const segmentAge = frame.dts - this.segmentStart;
    // Half a frame of slack: a 2 s GOP lands on a 2 s target despite millisecond rounding.
    const segmentDue = segmentAge >= this.options.targetDurationMs - this.videoFrameMs / 2;
    if (hasVideo ? frame.kind === 'video' && frame.keyframe && segmentDue : segmentDue) {
      if (this.pending.length > 0) this.closePart(frame.dts, true, frame);
      else if (!this.nextPartStartsSegment) this.emit('segmentEnd');
      this.nextPartStartsSegment = true;
      this.segmentStart = frame.dts;
      this.partStart = frame.dts;
      return;
    }
    if (this.pending.length === 0) return;
    const partTarget = this.options.partTargetMs;
    // Cut before this frame if keeping it would carry the part past its target.
    if (partTarget > 0 && frame.dts + this.videoFrameMs - this.partStart > partTarget) this.closePart(frame.dts, false, frame);
  }

  /**
   * Cuts right after a video frame when the next one would not fit the part target any more. The
   * part's last sample lasts one (smoothed) frame interval; the next part starts where it ends.
   */
  private cutAfter(frame: MediaFrame): void {
    const partTarget = this.options.partTargetMs;
    if (partTarget <= 0 || frame.kind !== 'video') return;
    const endDts = frame.dts + this.videoFrameMs;
    // A quarter frame of slack for timestamp jitter, so the cut happens here rather than before the next frame.
    if (endDts + this.videoFrameMs * 1.25 - this.partStart > partTarget) this.closePart(Math.round(endDts), false, undefined);
  }

  private closePart(endDts: number, segmentEnd: boolean, next: MediaFrame | undefined): void {
    const frames = this.pending;
    const muxer = this.muxer as SegmentMuxer;
    this.pending = [];
    const firstVideo = frames.find((f) => f.kind === 'video');
    const independent = this.tracks.video === undefined || firstVideo?.keyframe === true;
    const segmentStart = this.nextPartStartsSegment;
    const bytes = muxer.mux(frames, segmentStart, independent, next);
    const part: CutPart = {
      bytes,
      startDts: this.partStart,
      durationMs: Math.max(1, endDts - this.partStart),
      independent,
      segmentStart,
      segmentEnd,
      wallClockStart: this.partWallClock,
      discontinuity: segmentStart && this.nextDiscontinuity,
    };
    if (segmentStart) this.nextDiscontinuity = false;
    this.nextPartStartsSegment = false;
    this.partStart = endDts;
    this.emit('part', part);
  }

  private noteVideoTiming(dts: number): void {
    if (this.lastVideoDts !== undefined) {
      const d = dts - this.lastVideoDts;
      if (d > 0 && d < 200) this.videoFrameMs = this.videoFrameMs * 0.9 + d * 0.1;
    }
    this.lastVideoDts = dts;
  }

  private onConfig(frame: MediaFrame): void {
    const slot = frame.kind === 'video' ? 'video' : 'audio';
    const current = this.tracks[slot];
    if (current !== undefined && current.config.data.equals(frame.data)) return;
    const described = this.describe(frame);
    if (described === undefined) return;
    this.tracks = { ...this.tracks, [slot]: described };
    if (this.muxer !== undefined) {
      // New parameters mid-stream (resolution change, encoder restart): close what we have and restart cleanly.
      this.flush();
      this.muxer = undefined;
      this.nextDiscontinuity = true;
      this.waitingForKeyframe = true;
    }
  }

  /** Builds the muxer once we know the tracks: on the first keyframe, or after a while of audio alone. */
  private startMuxer(frame: MediaFrame): boolean {
    if (frame.kind === 'audio') {
      this.firstAudioDts ??= frame.dts;
      const waitedLongEnough = frame.dts - this.firstAudioDts >= this.audioOnlyAfterMs;
      if (this.tracks.video !== undefined || !waitedLongEnough || this.tracks.audio === undefined) return false;
    } else if (this.tracks.video === undefined || !frame.keyframe) {
      return false;
    }
    this.muxer = this.createMuxer(this.tracks);
    this.emit('muxer', this.muxer);
    return true;
  }
}
