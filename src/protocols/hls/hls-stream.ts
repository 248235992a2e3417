import type { Logger } from '../../base/index.js';
import { describeConfigFrame, type AudioTrackInfo, type MediaFrame, type VideoTrackInfo } from '../../media/index.js';
import type { Stream } from '../../hub/index.js';
import { Fmp4SegmentMuxer } from './fmp4-segment-muxer.js';
import type { HlsOptions } from './options.js';
import { Rendition } from './rendition.js';
import type { SegmentMuxer, TrackSet } from './segment-muxer.js';
import { Segmenter } from './segmenter.js';
import { createTsSegmentMuxer } from './ts-segment-muxer.js';

/** Reads a config frame into the track description a muxer needs; undefined if unparseable. */
function describeTrack(config: MediaFrame): TrackSet['video'] | TrackSet['audio'] {
  try {
    const info = describeConfigFrame(config);
    if (info === undefined) return undefined;
    return config.kind === 'video' ? { config, info: info as VideoTrackInfo } : ({ config, info: info as AudioTrackInfo } as TrackSet['audio']);
  } catch {
    return undefined;
  }
}

/**
 * The HLS side of one stream id: its renditions (today the source; ABR adds more) and the
 * segmenter feeding each from the live hub stream. Outlives a publish so a republish continues
 * the same playlist after a discontinuity.
 */
export class HlsStream {
  readonly renditions = new Map<string, Rendition>();
  /** Part of every URL: unique to this process's life of the stream id, so URLs never repeat. */
  readonly generation = Date.now().toString(36);
  stream: Stream | undefined;
  endedAt: number | undefined;
  private detachFrames: (() => void) | undefined;
  private segmenter: Segmenter | undefined;
  private endTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly options: HlsOptions,
    private readonly log: Logger,
  ) {}

  /** The source rendition, created on first use. */
  get source(): Rendition {
    let r = this.renditions.get('source');
    if (r === undefined) {
      r = new Rendition('source', {
        windowMs: this.options.windowMs,
        partSegments: 4,
        maxBytes: this.options.maxBytesPerRendition,
      });
      this.renditions.set('source', r);
    }
    return r;
  }

  /** Starts segmenting a (re)published stream; muxing begins with its first frames, before any viewer. */
  attach(stream: Stream): void {
    clearTimeout(this.endTimer);
    const source = this.source;
    if (this.stream !== undefined || this.endedAt !== undefined || source.segments.length > 0) source.republished();
    this.detachFrames?.();
    this.stream = stream;
    this.endedAt = undefined;
    const createMuxer = (tracks: TrackSet): SegmentMuxer => (this.options.container === 'fmp4' ? new Fmp4SegmentMuxer(tracks) : createTsSegmentMuxer(tracks));
    const segmenter = new Segmenter({ targetDurationMs: this.options.targetDurationMs, partTargetMs: this.options.partTargetMs }, createMuxer, describeTrack);
    segmenter.on('muxer', (m) => source.setMuxer(m));
    segmenter.on('part', (p) => source.addPart(p));
    this.segmenter = segmenter;
    // Late attach (HLS enabled after the stream started): begin from the cached GOP.
    for (const f of stream.startupFrames()) segmenter.push(f);
    this.detachFrames = stream.addFrameListener((f) => {
      try {
        segmenter.push(f);
      } catch (err) {
        this.log.error({ err, stream_id: this.id }, 'hls segmenter failed on a frame');
      }
    });
  }

  /** The publisher left: close the last segment now, and end the playlist unless it comes back soon. */
  detach(stream: Stream, onExpire: () => void): void {
    if (this.stream !== stream) return;
    this.detachFrames?.();
    this.detachFrames = undefined;
    this.segmenter?.flush();
    this.segmenter = undefined;
    this.stream = undefined;
    this.endedAt = Date.now();
    // A publisher that reconnects within one target duration continues the playlist seamlessly.
    this.endTimer = setTimeout(() => {
      this.source.end();
      this.endTimer = setTimeout(onExpire, this.options.retainAfterEndMs);
      this.endTimer.unref();
    }, this.options.targetDurationMs);
    this.endTimer.unref();
  }

  close(): void {
    clearTimeout(this.endTimer);
    this.detachFrames?.();
  }
}
