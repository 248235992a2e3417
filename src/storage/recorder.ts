import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../base/index.js';
import { StreamNotFoundError, type Stream, type StreamRegistry } from '../hub/index.js';
import { RecordingFailedError } from './errors.js';
import { finalisePart, findInterruptedParts, type FinaliseContext, type PartToFinalise } from './part-finalizer.js';
import type { RecordingFormat } from './part-writer.js';
import { RecordingCatalog } from './recording-catalog.js';
import { newRecordingId, thumbnailKey, type RecordingMetadata, type RecordingThumbnail } from './recording-metadata.js';
import type { Storage } from './storage.js';
import { StreamRecording, type EndedPart, type PartManifest } from './stream-recording.js';
import type { ThumbnailService } from './thumbnail-service.js';
import type { Thumbnail } from './thumbnailer.js';
import type { Watermark } from './watermark.js';

/** What the recorder tells the app (which forwards it to the event bus). */
export type RecordingEvent =
  | { type: 'recordingStarted'; recording: { id: string; streamId: string; part: number; startedAt: string; formats: RecordingFormat[] } }
  | { type: 'recordingFinished'; recording: RecordingMetadata }
  | { type: 'recordingFailed'; recordingId: string; streamId: string; error: Error };

/** Options of Recorder. */
export interface RecorderOptions {
  registry: StreamRegistry;
  storage: Storage;
  /** Folder for the files being written (fragmented MP4, FLV, manifests); keep it on a local disk. */
  tempDir: string;
  formats: readonly RecordingFormat[];
  /** Record every stream that goes live; false records only those asked for with startRecording. */
  recordAll: boolean;
  /** Split into parts every N minutes (at a keyframe); 0 never splits. */
  splitMinutes: number;
  /** Bytes per file that may wait for the disk before the recording fails; default 32 MiB. */
  maxQueuedBytes?: number;
  /** Thumbnails to store with each recording. */
  thumbnails?: ThumbnailService;
  /** Re-encode MP4 recordings with a watermark (x264 `preset`, default veryfast). */
  watermark?: { watermark: Watermark; ffmpegPath: string; preset?: string };
  onEvent?: (event: RecordingEvent) => void;
  logger: Logger;
  now?: () => number;
}

/**
 * Records live streams: a StreamRecording per recorded stream, finished parts finalised and
 * uploaded one after another in the background, parts interrupted by a crash recovered at start.
 */
export class Recorder {
  readonly catalog: RecordingCatalog;
  private readonly recordings = new Map<string, StreamRecording>();
  private readonly finalising = new Set<Promise<unknown>>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly ctx: FinaliseContext;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: RecorderOptions) {
    this.log = options.logger.child({ component: 'recorder' });
    this.now = options.now ?? Date.now;
    this.catalog = new RecordingCatalog(options.storage);
    this.ctx = { catalog: this.catalog, tempDir: options.tempDir, ...(options.watermark !== undefined ? { watermark: options.watermark } : {}) };
  }

  /** Creates the temp folder and starts following the registry (and thumbnails). */
  async start(): Promise<void> {
    await mkdir(this.options.tempDir, { recursive: true });
    const { registry, thumbnails } = this.options;
    const started = (s: Stream): void => {
      if (this.options.recordAll) this.begin(s);
    };
    const ended = (s: Stream): void => {
      this.stopRecording(s.id);
    };
    const thumbnail = (streamId: string, thumbs: Thumbnail[], dts: number): void => this.storeThumbnails(streamId, thumbs, dts);
    registry.on('streamStarted', started);
    registry.on('streamEnded', ended);
    registry.on('streamFailed', ended);
    thumbnails?.on('thumbnail', thumbnail);
    this.unsubscribe = () => {
      registry.off('streamStarted', started);
      registry.off('streamEnded', ended);
      registry.off('streamFailed', ended);
      thumbnails?.off('thumbnail', thumbnail);
    };
    if (this.options.recordAll) for (const s of registry.list()) if (s.state === 'LIVE' || s.state === 'PAUSED') this.begin(s);
  }

  /** Starts recording a live stream (API); StreamNotFoundError when it is not live. No-op when already recording. */
  startRecording(streamId: string): void {
    const stream = this.options.registry.get(streamId);
    if (stream === undefined || (stream.state !== 'LIVE' && stream.state !== 'PAUSED')) throw new StreamNotFoundError(streamId);
    this.begin(stream);
  }

  /** Stops recording a stream; its last part is finalised in the background. */
  stopRecording(streamId: string): boolean {
    const rec = this.recordings.get(streamId);
    if (rec === undefined) return false;
    this.recordings.delete(streamId);
    rec.stop();
    return true;
  }

  isRecording(streamId: string): boolean {
    return this.recordings.has(streamId);
  }

  /** The id of the part being recorded for a stream. */
  currentRecordingId(streamId: string): string | undefined {
    return this.recordings.get(streamId)?.currentId;
  }

  /** Resolves once every part that has ended is finalised and stored. */
  async idle(): Promise<void> {
    while (this.finalising.size > 0) await Promise.allSettled([...this.finalising]);
  }

  /**
   * Finalises and stores the parts a previous run left in the temp folder (killed or crashed while
   * recording): what was written before the crash is kept, at most the last fragment is lost.
   */
  async recoverInterrupted(): Promise<RecordingMetadata[]> {
    const active = new Set([...this.recordings.values()].flatMap((r) => (r.currentId !== undefined ? [r.currentId] : [])));
    const parts = await findInterruptedParts(this.options.tempDir, active);
    const out: RecordingMetadata[] = [];
    for (const part of parts) {
      const meta = await this.finalise(part);
      if (meta !== undefined) out.push(meta);
    }
    return out;
  }

  /** Stops every recording and waits until their parts are stored. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    for (const id of [...this.recordings.keys()]) this.stopRecording(id);
    await this.idle();
  }

  private begin(stream: Stream): void {
    if (this.recordings.has(stream.id)) return;
    const { formats, splitMinutes, tempDir } = this.options;
    const rec = new StreamRecording({
      stream,
      tempDir,
      formats,
      splitMs: splitMinutes * 60_000,
      maxQueuedBytes: this.options.maxQueuedBytes ?? 32 * 1024 * 1024,
      newId: (streamId, at, part) => newRecordingId(streamId, at, part, randomBytes(3).toString('hex')),
      now: this.now,
      onPartStarted: (m) => this.emitStarted(m),
      onPartEnded: (p) => this.partEnded(p),
      logger: this.options.logger,
    });
    this.recordings.set(stream.id, rec);
    rec.start();
  }

  private emitStarted(m: PartManifest): void {
    this.options.onEvent?.({ type: 'recordingStarted', recording: { id: m.id, streamId: m.streamId, part: m.part, startedAt: new Date(m.startedAtMs).toISOString(), formats: m.formats } });
  }

  private partEnded(ended: EndedPart): void {
    if (ended.failure !== undefined) {
      // the stream stops recording; what reached the disk is still stored, as a recovered part
      const rec = this.recordings.get(ended.manifest.streamId);
      if (rec !== undefined && rec.currentId === undefined) this.recordings.delete(ended.manifest.streamId);
      this.options.onEvent?.({ type: 'recordingFailed', recordingId: ended.manifest.id, streamId: ended.manifest.streamId, error: new RecordingFailedError(ended.manifest.id, ended.failure.message, { cause: ended.failure }) });
    }
    const job = ended
      .close()
      .catch((err: unknown) => {
        if (ended.failure === undefined) {
          this.log.error({ err, recording_id: ended.manifest.id }, 'recording files not closed cleanly');
        }
      })
      .then(() =>
        this.finalise({ manifest: ended.manifest, endedAtMs: ended.endedAtMs, files: ended.files, thumbnails: ended.thumbnails, status: ended.failure !== undefined ? 'recovered' : 'complete' }, ended.failure !== undefined),
      );
    this.track(job);
  }

  private track(job: Promise<unknown>): void {
    this.finalising.add(job);
    void job.finally(() => this.finalising.delete(job));
  }

  private async finalise(part: PartToFinalise, alreadyReported = false): Promise<RecordingMetadata | undefined> {
    try {
      const meta = await finalisePart(part, this.ctx);
      this.log.info({ recording_id: meta.id, stream_id: meta.streamId, duration_ms: meta.durationMs, bytes: meta.bytes, status: meta.status }, 'recording stored');
      this.options.onEvent?.({ type: 'recordingFinished', recording: meta });
      return meta;
    } catch (err) {
      this.log.error({ err, recording_id: part.manifest.id }, 'recording could not be stored');
      if (!alreadyReported) {
        const error = new RecordingFailedError(part.manifest.id, err instanceof Error ? err.message : String(err), { cause: err });
        this.options.onEvent?.({ type: 'recordingFailed', recordingId: part.manifest.id, streamId: part.manifest.streamId, error });
      }
      return undefined;
    }
  }

  private storeThumbnails(streamId: string, thumbs: Thumbnail[], dts: number): void {
    const rec = this.recordings.get(streamId);
    if (rec === undefined) return;
    const storage = this.options.storage;
    rec.addThumbnail((id, index, atMs) => {
      const entries: RecordingThumbnail[] = [];
      for (const t of thumbs) {
        const key = thumbnailKey(id, index, t.width, t.height, t.format);
        entries.push({ key, format: t.format, width: t.width, height: t.height, atMs });
        this.track(storage.put(key, t.data).catch((err: unknown) => this.log.warn({ err, key }, 'thumbnail not stored')));
      }
      return entries;
    }, dts);
  }
}
