import { buildFragment, buildInitSegment, mp4TrackFromConfig, type FragmentRun, type MediaFrame, type Mp4Track } from '../media/index.js';
import type { PartTracks, PartWriter } from './part-writer.js';
import { QueuedFileWriter } from './queued-file-writer.js';

/** Options of Mp4PartWriter. */
export interface Mp4PartWriterOptions {
  path: string;
  tracks: PartTracks;
  maxQueuedBytes: number;
  /** A fragment is cut at the first keyframe after this long (ms)... */
  minFragmentMs?: number;
  /** ...and at any frame after this long, so a crash never loses more (long GOPs). */
  maxFragmentMs?: number;
}

/**
 * Writes a part as fragmented MP4: the init segment, then a moof+mdat every 1–2 s starting on a
 * keyframe, each followed by a data sync. A crash loses at most the fragment being gathered;
 * finaliseMp4 later rewrites the file as a progressive MP4.
 */
export class Mp4PartWriter implements PartWriter {
  readonly format = 'mp4' as const;
  readonly path: string;
  private readonly file: QueuedFileWriter;
  private readonly video: Mp4Track | undefined;
  private readonly audio: Mp4Track | undefined;
  private readonly minMs: number;
  private readonly maxMs: number;
  private videoFrames: MediaFrame[] = [];
  private audioFrames: MediaFrame[] = [];
  private fragmentStart: number | undefined;
  private sequence = 1;
  private failed = false;

  constructor(options: Mp4PartWriterOptions) {
    this.path = options.path;
    this.minMs = options.minFragmentMs ?? 1000;
    this.maxMs = options.maxFragmentMs ?? 2000;
    let id = 1;
    const { video, audio } = options.tracks;
    this.video = video !== undefined ? mp4TrackFromConfig(video.config, video.info, id++) : undefined;
    this.audio = audio !== undefined ? mp4TrackFromConfig(audio.config, audio.info, id++) : undefined;
    const tracks = [this.video, this.audio].filter((t): t is Mp4Track => t !== undefined);
    this.file = new QueuedFileWriter({ path: options.path, maxQueuedBytes: options.maxQueuedBytes });
    this.file.onFail(() => {
      this.failed = true;
      this.videoFrames = [];
      this.audioFrames = [];
    });
    this.file.write(buildInitSegment(tracks), true);
  }

  push(frame: MediaFrame): void {
    if (this.failed || frame.config) return;
    const mine = frame.kind === 'video' ? this.video : this.audio;
    if (mine === undefined) return;
    // the clock of a fragment is the video's when there is video; audio only cuts audio-only parts
    const timed = this.video === undefined || frame.kind === 'video';
    if (timed) {
      this.fragmentStart ??= frame.dts;
      const age = frame.dts - this.fragmentStart;
      const keyCut = (frame.keyframe || this.video === undefined) && age >= this.minMs;
      if (keyCut || age >= this.maxMs) this.flush(frame.dts);
      this.fragmentStart ??= frame.dts;
    }
    if (frame.kind === 'video') this.videoFrames.push(frame);
    else this.audioFrames.push(frame);
  }

  async finish(): Promise<void> {
    if (!this.failed) this.flush(undefined);
    await this.file.close();
  }

  async abort(): Promise<void> {
    this.videoFrames = [];
    this.audioFrames = [];
    await this.file.abort();
  }

  onFail(listener: (err: Error) => void): void {
    this.file.onFail(listener);
  }

  /** Writes the gathered frames before `cut` (ms; all when undefined) as one fragment. */
  private flush(cut: number | undefined): void {
    const video = this.videoFrames;
    const audioCut = cut === undefined ? this.audioFrames.length : this.audioFrames.findIndex((f) => f.dts >= cut);
    const split = audioCut < 0 ? this.audioFrames.length : audioCut;
    const audio = this.audioFrames.slice(0, split);
    this.videoFrames = [];
    this.audioFrames = this.audioFrames.slice(split);
    this.fragmentStart = undefined;
    const runs: FragmentRun[] = [];
    if (this.video !== undefined && video.length > 0) runs.push({ track: this.video, frames: video, ...(cut !== undefined ? { nextDts: cut } : {}) });
    if (this.audio !== undefined && audio.length > 0) runs.push({ track: this.audio, frames: audio });
    if (runs.length === 0) return;
    this.file.write(buildFragment(this.sequence++, runs), true);
  }
}
