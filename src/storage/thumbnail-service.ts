import { EventEmitter } from 'node:events';
import type { Logger } from '../base/index.js';
import type { Stream, StreamRegistry } from '../hub/index.js';
import type { HubFrame, MediaFrame } from '../media/index.js';
import { Thumbnailer, type Thumbnail, type ThumbnailFormat, type ThumbnailSize } from './thumbnailer.js';

/** Options of ThumbnailService. */
export interface ThumbnailServiceOptions {
  ffmpegPath: string;
  sizes: readonly ThumbnailSize[];
  formats: readonly ThumbnailFormat[];
  /** A thumbnail is taken from the first keyframe at least this long (ms) after the previous one. */
  intervalMs: number;
  tempDir: string;
  logger: Logger;
}

export interface ThumbnailServiceEvents {
  /** New thumbnails of a stream, taken from the keyframe at `dts` (stream time, ms). */
  thumbnail: [streamId: string, thumbnails: Thumbnail[], dts: number];
}

interface Watch {
  detach: () => void;
  config: MediaFrame | undefined;
  lastDts: number | undefined;
  busy: boolean;
}

/**
 * Takes thumbnails of live streams every N seconds from a keyframe, keeps the latest per stream
 * (served at `/live/ID/thumbnail.jpg`) and announces each set (the recorder stores them with the
 * recording). One ffmpeg run per stream at a time: a slow decode skips a turn, it never queues.
 */
export class ThumbnailService extends EventEmitter<ThumbnailServiceEvents> {
  private readonly thumbnailer: Thumbnailer;
  private readonly watches = new Map<string, Watch>();
  private readonly latestByStream = new Map<string, Thumbnail[]>();
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Logger;
  private unwatchRegistry: (() => void) | undefined;

  constructor(private readonly options: ThumbnailServiceOptions) {
    super();
    this.log = options.logger.child({ component: 'thumbnails' });
    this.thumbnailer = new Thumbnailer({ ffmpegPath: options.ffmpegPath, sizes: options.sizes, formats: options.formats, tempDir: options.tempDir });
  }

  /** Follows every stream of the registry from the moment it goes live. */
  watchRegistry(registry: StreamRegistry): void {
    const started = (s: Stream): void => this.attach(s);
    const ended = (s: Stream): void => this.detach(s.id);
    registry.on('streamStarted', started);
    registry.on('streamEnded', ended);
    registry.on('streamFailed', ended);
    for (const s of registry.list()) if (s.state === 'LIVE' || s.state === 'PAUSED') this.attach(s);
    this.unwatchRegistry = () => {
      registry.off('streamStarted', started);
      registry.off('streamEnded', ended);
      registry.off('streamFailed', ended);
    };
  }

  /** Starts taking thumbnails of one stream. */
  attach(stream: Stream): void {
    if (this.watches.has(stream.id)) return;
    const watch: Watch = { detach: () => undefined, config: undefined, lastDts: undefined, busy: false };
    for (const f of stream.startupFrames()) if (f.kind === 'video' && f.config) watch.config = f;
    watch.detach = stream.addFrameListener((f) => this.onFrame(stream.id, watch, f));
    this.watches.set(stream.id, watch);
  }

  detach(streamId: string): void {
    this.watches.get(streamId)?.detach();
    this.watches.delete(streamId);
    this.latestByStream.delete(streamId);
  }

  /** The latest thumbnail of a live stream in a format (the first configured size), if any yet. */
  latest(streamId: string, format: ThumbnailFormat = 'jpg'): Thumbnail | undefined {
    return this.latestByStream.get(streamId)?.find((t) => t.format === format);
  }

  /** Stops everything and waits for running ffmpeg children. */
  async close(): Promise<void> {
    this.unwatchRegistry?.();
    for (const id of [...this.watches.keys()]) this.detach(id);
    await Promise.allSettled([...this.pending]);
  }

  private onFrame(streamId: string, watch: Watch, frame: HubFrame): void {
    if (frame.kind !== 'video') return;
    if (frame.config) {
      watch.config = frame;
      return;
    }
    if (!frame.keyframe || watch.busy || watch.config === undefined || !Thumbnailer.supports(frame.codec)) return;
    if (watch.lastDts !== undefined && frame.dts - watch.lastDts < this.options.intervalMs) return;
    watch.lastDts = frame.dts;
    watch.busy = true;
    const job = this.thumbnailer
      .capture(watch.config, frame)
      .then((thumbs) => {
        if (this.watches.get(streamId) !== watch) return;
        this.latestByStream.set(streamId, thumbs);
        this.emit('thumbnail', streamId, thumbs, frame.dts);
      })
      .catch((err: unknown) => this.log.warn({ err, stream_id: streamId }, 'thumbnail failed'))
      .finally(() => {
        watch.busy = false;
        this.pending.delete(job);
      });
    this.pending.add(job);
  }
}
