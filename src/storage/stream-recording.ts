import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../base/index.js';
import type { Stream } from '../hub/index.js';
import { describeConfigFrame, type AudioTrackInfo, type HubFrame, type MediaFrame, type MetadataFrame, type VideoTrackInfo } from '../media/index.js';
import { FlvPartWriter } from './flv-part-writer.js';
import { Mp4PartWriter } from './mp4-part-writer.js';
import type { PartTracks, PartWriter, RecordingFormat } from './part-writer.js';
import type { RecordingThumbnail } from './recording-metadata.js';

/** What is written beside a part's temp files while it records, so a crash can be recovered. */
export interface PartManifest {
  id: string;
  streamId: string;
  part: number;
  startedAtMs: number;
  formats: RecordingFormat[];
  video: VideoTrackInfo | null;
  audio: AudioTrackInfo | null;
}

/** A part that stopped recording, handed over to be finalised and stored. */
export interface EndedPart {
  manifest: PartManifest;
  endedAtMs: number;
  /** Temp files by format. */
  files: { format: RecordingFormat; path: string }[];
  /** Stream time of the last frame, relative to the part's start. */
  lastDtsMs: number;
  thumbnails: RecordingThumbnail[];
  /** Set when writing failed: the part is salvaged from what reached the disk. */
  failure?: Error;
  /** Writes what the writers still buffer and closes the files (drops it after a failure); rejects if a writer failed. */
  close: () => Promise<void>;
}

/** Options of StreamRecording. */
export interface StreamRecordingOptions {
  stream: Stream;
  tempDir: string;
  formats: readonly RecordingFormat[];
  /** Start a new part at the first keyframe after this long (ms); 0 never splits. */
  splitMs: number;
  maxQueuedBytes: number;
  /** Builds a new part id. */
  newId: (streamId: string, startedAtMs: number, part: number) => string;
  now: () => number;
  onPartStarted: (manifest: PartManifest) => void;
  /** A part ended (normally, by a split, or because writing failed); the promise is the caller's. */
  onPartEnded: (part: EndedPart) => void;
  logger: Logger;
}

interface ActivePart {
  manifest: PartManifest;
  baseDts: number;
  writers: PartWriter[];
  lastDts: number;
  thumbnails: RecordingThumbnail[];
  thumbnailCount: number;
  failed: boolean;
}

/** Audio frames to wait for a video sequence header before recording a stream as audio only. */
const AUDIO_ONLY_AFTER_FRAMES = 50;

/**
 * Records one live stream into parts: taps the stream's frames, starts a part at the first
 * keyframe with its sequence headers, rebases timestamps to the part's start, and hands finished
 * parts on. Splits every `splitMs` and when a sequence header changes (an MP4 track cannot change
 * codec configuration mid-file). Never blocks: writers queue and fail rather than grow.
 */
export class StreamRecording {
  private detachListener: (() => void) | undefined;
  private video: { config: MediaFrame; info: VideoTrackInfo } | undefined;
  private audio: { config: MediaFrame; info: AudioTrackInfo } | undefined;
  private metadata: MetadataFrame | undefined;
  private part: ActivePart | undefined;
  private partNumber = 0;
  private audioWithoutVideo = 0;
  private configChanged = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: StreamRecordingOptions) {
    this.log = options.logger.child({ component: 'recorder', stream_id: options.stream.id });
  }

  get streamId(): string {
    return this.options.stream.id;
  }

  /** The id of the part being written, if one has started. */
  get currentId(): string | undefined {
    return this.part?.manifest.id;
  }

  /** Starts from the cached GOP (so recording begins at once) and taps every frame from now on. */
  start(): void {
    const { stream } = this.options;
    // snapshot and listener are taken in the same turn, so no frame is missed or seen twice
    for (const frame of stream.startupFrames()) this.onFrame(frame);
    this.detachListener = stream.addFrameListener((f) => this.onFrame(f));
  }

  /** Stops recording; the current part is handed on to be finalised. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detachListener?.();
    this.endPart();
  }

  /** Notes a thumbnail stored for the current part; returns its index, or undefined without a part. */
  addThumbnail(make: (id: string, index: number, partTimeMs: number) => RecordingThumbnail[], streamDts: number): RecordingThumbnail[] {
    const part = this.part;
    if (part === undefined || part.failed) return [];
    const thumbs = make(part.manifest.id, part.thumbnailCount++, Math.max(0, streamDts - part.baseDts));
    part.thumbnails.push(...thumbs);
    const lines = thumbs.map((t) => JSON.stringify(t) + '\n').join('');
    appendFile(join(this.options.tempDir, `${part.manifest.id}.thumbs.jsonl`), lines).catch((err: unknown) => this.log.warn({ err }, 'thumbnail list not written'));
    return thumbs;
  }

  private onFrame(frame: HubFrame): void {
    if (this.stopped) return;
    if (frame.kind === 'metadata') {
      this.metadata = frame;
      return;
    }
    if (frame.config) {
      this.noteConfig(frame);
      return;
    }
    if (this.part === undefined) {
      if (!this.canStartAt(frame)) return;
      this.startPart(frame);
    } else if (frame.kind === 'video' && frame.keyframe && (this.configChanged || this.splitDue(frame))) {
      this.endPart();
      if (!this.canStartAt(frame)) return;
      this.startPart(frame);
    }
    const part = this.part;
    if (part === undefined || part.failed) return;
    const dts = frame.dts - part.baseDts;
    // audio from before the part's first keyframe has nothing to play against
    if (dts < 0) return;
    const rebased: MediaFrame = { ...frame, dts, pts: frame.pts - part.baseDts };
    for (const w of part.writers) w.push(rebased);
    if (dts > part.lastDts) part.lastDts = dts;
  }

  private noteConfig(frame: MediaFrame): void {
    let info;
    try {
      info = describeConfigFrame(frame);
    } catch (err) {
      this.log.warn({ err, kind: frame.kind }, 'unreadable sequence header: track not recorded');
      return;
    }
    if (info === undefined) return;
    const current = frame.kind === 'video' ? this.video : this.audio;
    if (current !== undefined && current.config.data.equals(frame.data)) return;
    if (this.part !== undefined) this.configChanged = true;
    if (frame.kind === 'video') this.video = { config: frame, info: info as VideoTrackInfo };
    else this.audio = { config: frame, info: info as AudioTrackInfo };
  }

  private canStartAt(frame: MediaFrame): boolean {
    if (frame.kind === 'video') return frame.keyframe && this.video !== undefined;
    if (this.video !== undefined || this.audio === undefined) return false;
    return ++this.audioWithoutVideo > AUDIO_ONLY_AFTER_FRAMES;
  }

  private splitDue(frame: MediaFrame): boolean {
    const part = this.part;
    return part !== undefined && this.options.splitMs > 0 && frame.dts - part.baseDts >= this.options.splitMs;
  }

  private startPart(first: MediaFrame): void {
    const { stream, tempDir, formats, maxQueuedBytes } = this.options;
    this.configChanged = false;
    const startedAtMs = this.options.now();
    const number = ++this.partNumber;
    const id = this.options.newId(stream.id, startedAtMs, number);
    const tracks: PartTracks = {
      ...(this.video !== undefined && first.kind === 'video' ? { video: this.video } : {}),
      ...(this.audio !== undefined ? { audio: this.audio } : {}),
      ...(this.metadata !== undefined ? { metadata: this.metadata } : {}),
    };
    const manifest: PartManifest = { id, streamId: stream.id, part: number, startedAtMs, formats: [...formats], video: tracks.video?.info ?? null, audio: tracks.audio?.info ?? null };
    const writers: PartWriter[] = [];
    const part: ActivePart = { manifest, baseDts: first.dts, writers, lastDts: 0, thumbnails: [], thumbnailCount: 0, failed: false };
    this.part = part;
    try {
      for (const format of formats) {
        const path = join(tempDir, `${id}.${format}.part`);
        writers.push(format === 'mp4' ? new Mp4PartWriter({ path, tracks, maxQueuedBytes }) : new FlvPartWriter({ path, tracks, maxQueuedBytes }));
      }
    } catch (err) {
      this.failPart(part, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const w of writers) w.onFail((err) => this.failPart(part, err));
    writeFile(join(tempDir, `${id}.recording.json`), JSON.stringify(manifest)).catch((err: unknown) => this.failPart(part, err instanceof Error ? err : new Error(String(err))));
    this.log.info({ recording_id: id, part: number, formats }, 'recording started');
    this.options.onPartStarted(manifest);
  }

  private endPart(failure?: Error): void {
    const part = this.part;
    if (part === undefined) return;
    this.part = undefined;
    this.options.onPartEnded({
      manifest: part.manifest,
      endedAtMs: this.options.now(),
      files: part.writers.map((w) => ({ format: w.format, path: w.path })),
      lastDtsMs: part.lastDts,
      thumbnails: part.thumbnails,
      ...(failure !== undefined ? { failure } : {}),
      close: async () => {
        const results = await Promise.allSettled(part.writers.map((w) => (failure !== undefined ? w.abort() : w.finish())));
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (rejected !== undefined) throw rejected.reason;
      },
    });
  }

  /** Writing failed: this stream stops recording; what reached the disk is salvaged by the caller. */
  private failPart(part: ActivePart, err: Error): void {
    if (part.failed) return;
    part.failed = true;
    this.log.error({ err, recording_id: part.manifest.id }, 'recording failed');
    if (this.part === part) {
      this.stopped = true;
      this.detachListener?.();
      this.endPart(err);
    }
  }
}
