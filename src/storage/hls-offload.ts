import type { Logger } from '../base/index.js';
import { safeKey } from './path-safety.js';
import type { Storage } from './storage.js';

/** Options of HlsOffload. */
export interface HlsOffloadOptions {
  storage: Storage;
  /** Key prefix for HLS files; default `hls`, so `/live/cam1/source/index.m3u8` goes to `hls/cam1/source/index.m3u8`. */
  prefix?: string;
  /** Cache lifetime of playlists (they change every part or segment); default 1 s. */
  playlistMaxAgeSeconds?: number;
  /** Files waiting per stream before new ones are dropped (a slow bucket must not grow memory); default 64. */
  maxQueuedPerStream?: number;
  logger: Logger;
}

/** Content-Type and Cache-Control for an HLS file by its name. */
export function hlsObjectHeaders(path: string, playlistMaxAgeSeconds = 1): { contentType: string; cacheControl: string } {
  if (path.endsWith('.m3u8')) return { contentType: 'application/vnd.apple.mpegurl', cacheControl: `public, max-age=${playlistMaxAgeSeconds}` };
  // segments, parts and init segments never change once written: a CDN may keep them for good
  const immutable = 'public, max-age=31536000, immutable';
  if (path.endsWith('.ts')) return { contentType: 'video/mp2t', cacheControl: immutable };
  if (path.endsWith('.m4s')) return { contentType: 'video/iso.segment', cacheControl: immutable };
  if (path.endsWith('.mp4')) return { contentType: 'video/mp4', cacheControl: immutable };
  return { contentType: 'application/octet-stream', cacheControl: immutable };
}

/**
 * Copies HLS segments and playlists to storage as they are made, so S3 behind a CDN can serve
 * viewers. Uploads of one stream run in the order given, so a playlist never reaches the bucket
 * before the segments it lists; a stream whose uploads fall behind loses files, not memory.
 */
export class HlsOffload {
  private readonly queues = new Map<string, { tail: Promise<void>; length: number }>();
  private readonly prefix: string;
  private readonly log: Logger;
  /** Files not uploaded (queue full or upload error). */
  dropped = 0;

  constructor(private readonly options: HlsOffloadOptions) {
    this.prefix = options.prefix ?? 'hls';
    this.log = options.logger.child({ component: 'hls-offload' });
  }

  /** The storage key of an HLS path like `cam1/source/index.m3u8`. */
  keyOf(path: string): string {
    return safeKey(`${this.prefix}/${path.replace(/^\/+/, '')}`);
  }

  /** Queues an upload; resolves when it is stored (or dropped). Never rejects. */
  publish(path: string, data: Buffer): Promise<void> {
    const key = this.keyOf(path);
    const headers = hlsObjectHeaders(path, this.options.playlistMaxAgeSeconds);
    return this.enqueue(path, () => this.options.storage.put(key, data, headers).then(() => undefined));
  }

  /** Queues the removal of a file that left the playlist window. */
  remove(path: string): Promise<void> {
    const key = this.keyOf(path);
    return this.enqueue(path, () => this.options.storage.delete(key));
  }

  /** Resolves when every queued upload has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.tail));
  }

  private enqueue(path: string, job: () => Promise<void>): Promise<void> {
    const stream = path.replace(/^\/+/, '').split('/')[0] ?? '';
    let queue = this.queues.get(stream);
    if (queue === undefined) this.queues.set(stream, (queue = { tail: Promise.resolve(), length: 0 }));
    if (queue.length >= (this.options.maxQueuedPerStream ?? 64)) {
      this.dropped++;
      this.log.warn({ stream_id: stream, path }, 'HLS offload behind: file dropped');
      return Promise.resolve();
    }
    const q = queue;
    q.length++;
    q.tail = q.tail
      .then(job)
      .catch((err: unknown) => {
        this.dropped++;
        this.log.warn({ err, path }, 'HLS offload failed');
      })
      .finally(() => {
        q.length--;
        if (q.length === 0 && this.queues.get(stream) === q) this.queues.delete(stream);
      });
    return q.tail;
  }
}
