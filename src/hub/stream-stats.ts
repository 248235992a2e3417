import type { MediaFrame } from '../media/index.js';

const WINDOW_MS = 5000;

/** Measures a stream's ingest bitrate and video frame rate over a sliding window of whole seconds. */
export class StreamStats {
  private readonly buckets = new Float64Array(WINDOW_MS / 1000);
  private readonly frameBuckets = new Uint32Array(WINDOW_MS / 1000);
  private bucketSecond = -1;
  private firstSecond = -1;
  totalBytes = 0;
  videoFrames = 0;
  audioFrames = 0;

  record(frame: MediaFrame, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.advance(second);
    const slot = second % this.buckets.length;
    this.buckets[slot] = (this.buckets[slot] as number) + frame.data.length;
    this.totalBytes += frame.data.length;
    if (frame.kind === 'video' && !frame.config) {
      this.frameBuckets[slot] = (this.frameBuckets[slot] as number) + 1;
      this.videoFrames++;
    } else if (frame.kind === 'audio' && !frame.config) {
      this.audioFrames++;
    }
  }

  /** Bits per second over the last complete seconds of the window. */
  bitrate(nowMs: number): number {
    return this.rate(this.buckets, nowMs) * 8;
  }

  framesPerSecond(nowMs: number): number {
    return this.rate(this.frameBuckets, nowMs);
  }

  private rate(buckets: Float64Array | Uint32Array, nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    this.advance(second);
    // Complete seconds only: the current one is still filling.
    const seconds = Math.min(buckets.length - 1, second - this.firstSecond);
    if (seconds <= 0) return 0;
    let sum = 0;
    for (let s = second - seconds; s < second; s++) sum += buckets[s % buckets.length] as number;
    return sum / seconds;
  }

  private advance(second: number): void {
    if (this.firstSecond < 0) this.firstSecond = second;
    if (this.bucketSecond < 0) this.bucketSecond = second;
    while (this.bucketSecond < second) {
      this.bucketSecond++;
      const slot = this.bucketSecond % this.buckets.length;
      this.buckets[slot] = 0;
      this.frameBuckets[slot] = 0;
      if (second - this.bucketSecond > this.buckets.length) this.bucketSecond = second - this.buckets.length;
    }
  }
}
