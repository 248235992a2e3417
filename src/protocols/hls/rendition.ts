import { EventEmitter } from 'node:events';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CutPart } from './segmenter.js';
import type { SegmentMuxer } from './segment-muxer.js';

/** One part as served: bytes plus what the playlist says of it. */
export interface HlsPart {
  readonly index: number;
  readonly durationMs: number;
  readonly independent: boolean;
  /** Dropped once the part is too old to be listed; the segment keeps the bytes. */
  bytes: Buffer | undefined;
}

/** One media segment; open while parts are still being added to it. */
export interface HlsSegment {
  readonly msn: number;
  readonly startedAt: number;
  readonly mapVersion: number;
  readonly discontinuity: boolean;
  durationMs: number;
  parts: HlsPart[];
  complete: boolean;
  /** The whole segment, set when it completes (undefined once it has moved to disk). */
  bytes: Buffer | undefined;
  /** Where the segment lives once moved out of memory (DVR history with a disk directory). */
  file: string | undefined;
}

/** How much a rendition keeps. */
export interface RenditionLimits {
  /** Segments listed in the playlist: the live window or the DVR window, in milliseconds. */
  windowMs: number;
  /** Segments whose parts are still listed (LL-HLS needs the last few target durations). */
  partSegments: number;
  /** Hard cap on the bytes of segments kept in memory, whatever the window says. */
  maxBytes: number;
  /** When set, segments older than the part window move here, so a long DVR window costs disk, not memory. */
  diskDir?: string;
}

export interface RenditionEvents {
  /** Something a blocked playlist or part request may be waiting for has appeared. */
  changed: [];
}

/**
 * The segments, parts and init segments of one rendition of one stream, with a sliding window
 * that frees what falls out of it. Media sequence numbers keep growing across republishes, so a
 * URL, once served, always means the same bytes (segments are cacheable as immutable).
 */
export class Rendition extends EventEmitter<RenditionEvents> {
  readonly segments: HlsSegment[] = [];
  readonly maps = new Map<number, Buffer>();
  mapVersion = 0;
  muxer: SegmentMuxer | undefined;
  discontinuitySequence = 0;
  ended = false;
  /** Bumps on every change, so playlists can be cached per version. */
  version = 0;
  private nextMsn = 0;
  private pendingDiscontinuity = false;
  private bytes = 0;
  private peakBitrate = 0;
  private totalBits = 0;
  private totalMs = 0;

  constructor(
    readonly name: string,
    private readonly limits: RenditionLimits,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** The segment a new part goes into, or undefined before the first part. */
  get open(): HlsSegment | undefined {
    const last = this.segments[this.segments.length - 1];
    return last !== undefined && !last.complete ? last : undefined;
  }

  get lastMsn(): number {
    return this.nextMsn - 1;
  }

  get firstMsn(): number {
    return this.segments[0]?.msn ?? this.nextMsn;
  }

  /** Peak and average segment bitrates in bits per second, for BANDWIDTH and AVERAGE-BANDWIDTH. */
  get bandwidth(): { peak: number; average: number } {
    return { peak: Math.round(this.peakBitrate), average: this.totalMs > 0 ? Math.round((this.totalBits * 1000) / this.totalMs) : 0 };
  }

  setMuxer(muxer: SegmentMuxer): void {
    this.muxer = muxer;
    if (muxer.init !== undefined) {
      this.mapVersion++;
      this.maps.set(this.mapVersion, muxer.init);
    }
    this.touch();
  }

  addPart(cut: CutPart): void {
    if (this.ended) this.resume();
    if (cut.segmentStart || this.open === undefined) this.startSegment(cut.discontinuity, cut.wallClockStart);
    const segment = this.open as HlsSegment;
    segment.parts.push({ index: segment.parts.length, durationMs: cut.durationMs, independent: cut.independent, bytes: cut.bytes });
    segment.durationMs += cut.durationMs;
    this.bytes += cut.bytes.length;
    // Complete at once with its last part, so players see it (and the hint moves on) without waiting for the next one.
    if (cut.segmentEnd) this.completeOpen();
    this.touch();
  }

  /** The open segment got its last part earlier; a keyframe has now started the next one. */
  completeSegment(): void {
    if (this.open === undefined) return;
    this.completeOpen();
    this.touch();
  }

  /** Closes the open segment and marks the playlist ended (EXT-X-ENDLIST). */
  end(): void {
    this.completeOpen();
    this.ended = true;
    this.touch();
  }

  segment(msn: number): HlsSegment | undefined {
    const first = this.segments[0];
    if (first === undefined) return undefined;
    return this.segments[msn - first.msn];
  }

  /** A new publish continues this playlist: its timestamps restart, so players must reset. */
  republished(): void {
    this.completeOpen();
    this.ended = false;
    this.pendingDiscontinuity = true;
    this.touch();
  }

  private resume(): void {
    this.ended = false;
    this.pendingDiscontinuity = true;
  }

  private startSegment(discontinuity: boolean, startedAt: number): void {
    this.completeOpen();
    const afterRepublish = this.pendingDiscontinuity && this.segments.length > 0;
    this.pendingDiscontinuity = false;
    this.segments.push({
      msn: this.nextMsn++,
      startedAt,
      mapVersion: this.mapVersion,
      discontinuity: discontinuity || afterRepublish,
      durationMs: 0,
      parts: [],
      complete: false,
      bytes: undefined,
      file: undefined,
    });
    this.trim();
  }

  private completeOpen(): void {
    const open = this.open;
    if (open === undefined) return;
    open.complete = true;
    open.bytes = Buffer.concat(open.parts.map((p) => p.bytes as Buffer));
    this.bytes += open.bytes.length;
    if (open.durationMs > 0) {
      const bits = open.bytes.length * 8;
      this.peakBitrate = Math.max(this.peakBitrate, (bits * 1000) / open.durationMs);
      this.totalBits += bits;
      this.totalMs += open.durationMs;
    }
  }

  /** Frees parts of old segments and segments out of the window (keeping one spare for late readers). */
  private trim(): void {
    const n = this.segments.length;
    for (let i = 0; i < n - this.limits.partSegments; i++) {
      const seg = this.segments[i] as HlsSegment;
      for (const p of seg.parts) {
        if (p.bytes !== undefined) {
          this.bytes -= p.bytes.length;
          p.bytes = undefined;
        }
      }
      if (this.limits.diskDir !== undefined && seg.complete && seg.bytes !== undefined && seg.file === undefined) this.spill(seg, this.limits.diskDir);
    }
    let windowMs = 0;
    for (let i = n - 2; i >= 0; i--) windowMs += (this.segments[i] as HlsSegment).durationMs;
    while (this.segments.length > 2) {
      const oldest = this.segments[0] as HlsSegment;
      const overWindow = windowMs - oldest.durationMs >= this.limits.windowMs;
      if (!overWindow && this.bytes <= this.limits.maxBytes) break;
      this.segments.shift();
      if (oldest.file !== undefined) void unlink(oldest.file).catch(() => undefined);
      windowMs -= oldest.durationMs;
      this.bytes -= oldest.bytes?.length ?? 0;
      for (const p of oldest.parts) this.bytes -= p.bytes?.length ?? 0;
      if (oldest.discontinuity) this.discontinuitySequence++;
      if (!this.segments.some((s) => s.mapVersion === oldest.mapVersion)) this.maps.delete(oldest.mapVersion);
    }
  }

  /** Writes a segment to disk, then lets go of its memory; on failure it simply stays in memory. */
  private spill(seg: HlsSegment, dir: string): void {
    const bytes = seg.bytes as Buffer;
    const file = join(dir, `${seg.msn}.seg`);
    seg.file = file;
    void mkdir(dir, { recursive: true })
      .then(() => writeFile(file, bytes))
      .then(
        () => {
          if (seg.bytes !== bytes) return;
          seg.bytes = undefined;
          this.bytes -= bytes.length;
        },
        () => {
          seg.file = undefined;
        },
      );
  }

  private touch(): void {
    this.version++;
    this.emit('changed');
  }
}
