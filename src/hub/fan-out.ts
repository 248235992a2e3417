import type { LatencyHistogram } from '../base/index.js';
import type { HubFrame } from '../media/index.js';
import type { BackpressureLimits, ByteSink, FrameFormat, SubscribeOptions, Subscription, SubscriberEndReason, ViewerProtocol } from './subscriber.js';

/** One viewer of a stream, with the state the slow-viewer policy needs. */
export class Viewer implements Subscription {
  readonly id: string;
  readonly protocol: ViewerProtocol;
  readonly format: FrameFormat;
  readonly sink: ByteSink;
  readonly remoteAddress: string | undefined;
  readonly joinedAt = Date.now();
  droppedFrames = 0;
  /** While set, video is skipped until a keyframe arrives with room in the buffer. */
  skippingSince: number | undefined;
  closed = false;

  constructor(
    options: SubscribeOptions,
    private readonly detach: (viewer: Viewer, reason: SubscriberEndReason) => void,
  ) {
    this.id = options.id;
    this.protocol = options.protocol;
    this.format = options.format;
    this.sink = options.sink;
    this.remoteAddress = options.remoteAddress;
  }

  unsubscribe(): void {
    this.end('unsubscribed');
  }

  /** Leaves the stream and closes the sink once; later calls do nothing. */
  end(reason: SubscriberEndReason): void {
    if (this.closed) return;
    this.closed = true;
    this.detach(this, reason);
    this.sink.close(reason);
  }
}

/**
 * Writes one batch of frames to every viewer. Each format's bytes for the batch are joined once
 * and the same Buffer goes to every viewer that keeps up; only viewers that fall behind get a
 * filtered, per-frame write.
 */
export class FanOut {
  readonly viewers: Viewer[] = [];
  /** Frames dropped across all viewers since the stream started. */
  droppedFrames = 0;

  constructor(private readonly limits: BackpressureLimits) {}

  add(viewer: Viewer): void {
    this.viewers.push(viewer);
  }

  remove(viewer: Viewer): void {
    const i = this.viewers.indexOf(viewer);
    if (i >= 0) this.viewers.splice(i, 1);
  }

  /** Writes the batch to every viewer; with `perViewer`, how long after `nowMs` each one was handed its bytes. */
  deliver(batch: readonly HubFrame[], nowMs: number, perViewer?: LatencyHistogram): void {
    if (batch.length === 0 || this.viewers.length === 0) return;
    const joined = new Map<FrameFormat, Buffer | null>();
    // Iterate over a copy: a viewer dropped for slowness leaves the list mid-loop.
    for (const viewer of this.viewers.slice()) {
      const buffered = viewer.sink.bufferedBytes;
      if (viewer.skippingSince === undefined && buffered <= this.limits.softLimitBytes) {
        const bytes = this.joinedFor(viewer.format, batch, joined);
        if (bytes !== null) viewer.sink.write(bytes);
        perViewer?.record(performance.now() - nowMs);
        continue;
      }
      this.deliverBehind(viewer, batch, buffered, nowMs);
    }
  }

  /** Writes initial frames (the GOP cache) to one viewer that just joined. */
  prime(viewer: Viewer, frames: readonly HubFrame[], preamble?: Buffer): void {
    const parts: Buffer[] = preamble !== undefined ? [preamble] : [];
    for (const f of frames) {
      const b = viewer.format.encode(f);
      if (b !== undefined) parts.push(b);
    }
    if (parts.length > 0) viewer.sink.write(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
  }

  private joinedFor(format: FrameFormat, batch: readonly HubFrame[], cache: Map<FrameFormat, Buffer | null>): Buffer | null {
    let bytes = cache.get(format);
    if (bytes !== undefined) return bytes;
    if (batch.length === 1) {
      bytes = format.encode(batch[0] as HubFrame) ?? null;
    } else {
      const parts: Buffer[] = [];
      for (const f of batch) {
        const b = format.encode(f);
        if (b !== undefined) parts.push(b);
      }
      bytes = parts.length === 0 ? null : parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    }
    cache.set(format, bytes);
    return bytes;
  }

  private deliverBehind(viewer: Viewer, batch: readonly HubFrame[], buffered: number, nowMs: number): void {
    if (viewer.skippingSince === undefined) viewer.skippingSince = nowMs;
    if (buffered > this.limits.hardLimitBytes || nowMs - viewer.skippingSince > this.limits.maxSkipMs) {
      viewer.end('too-slow');
      return;
    }
    for (const frame of batch) {
      const skippable = frame.kind === 'video' && !frame.config;
      if (skippable && viewer.skippingSince !== undefined) {
        // Resume only on a keyframe, so the decoder never sees a frame whose references were dropped.
        if (frame.keyframe && viewer.sink.bufferedBytes <= this.limits.softLimitBytes / 2) {
          viewer.skippingSince = undefined;
        } else {
          viewer.droppedFrames++;
          this.droppedFrames++;
          continue;
        }
      }
      const b = viewer.format.encode(frame);
      if (b !== undefined) viewer.sink.write(b);
    }
  }
}
