import type { HubFrame, MediaFrame, MetadataFrame } from '../media/index.js';

/** Caps that keep a stream's cache bounded whatever the publisher sends (e.g. no keyframes at all). */
export interface GopCacheLimits {
  maxFrames: number;
  maxBytes: number;
}

/**
 * Holds what a viewer joining now needs to start on a keyframe: the latest metadata and
 * sequence headers, then every frame since the last video keyframe.
 */
export class GopCache {
  private metadata: MetadataFrame | undefined;
  private videoConfig: MediaFrame | undefined;
  private audioConfig: MediaFrame | undefined;
  private frames: MediaFrame[] = [];
  private bytes = 0;
  private open = false;

  constructor(private readonly limits: GopCacheLimits) {}

  push(frame: HubFrame): void {
    if (frame.kind === 'metadata') {
      this.metadata = frame;
      return;
    }
    if (frame.config) {
      if (frame.kind === 'video') this.videoConfig = frame;
      else this.audioConfig = frame;
      return;
    }
    if (frame.kind === 'video' && frame.keyframe) {
      this.frames = [];
      this.bytes = 0;
      this.open = true;
    }
    // Audio before the first keyframe, or in an audio-only stream, is not worth keeping: audio joins anywhere.
    if (!this.open) return;
    if (this.frames.length >= this.limits.maxFrames || this.bytes + frame.data.length > this.limits.maxBytes) {
      // Too long a GOP: drop it and wait for the next keyframe rather than grow.
      this.frames = [];
      this.bytes = 0;
      this.open = false;
      return;
    }
    this.frames.push(frame);
    this.bytes += frame.data.length;
  }

  /** Frames for a joining viewer, in the order it must receive them. */
  snapshot(): HubFrame[] {
    const out: HubFrame[] = [];
    if (this.metadata !== undefined) out.push(this.metadata);
    if (this.videoConfig !== undefined) out.push(this.videoConfig);
    if (this.audioConfig !== undefined) out.push(this.audioConfig);
    for (const f of this.frames) out.push(f);
    return out;
  }

  get frameCount(): number {
    return this.frames.length;
  }

  get byteCount(): number {
    return this.bytes;
  }

  clear(): void {
    this.frames = [];
    this.bytes = 0;
    this.open = false;
  }
}
