import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../base/index.js';
import { describeConfigFrame, type AudioTrackInfo, type MediaFrame, type VideoTrackInfo } from '../../media/index.js';
import type { Stream } from '../../hub/index.js';
import { Transcoder } from '../../transcode/index.js';
import { Fmp4SegmentMuxer } from './fmp4-segment-muxer.js';
import type { HlsOptions } from './options.js';
import { HlsOffloadWriter } from './offload-writer.js';
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

/** How long a stream whose publisher announced video waits for it before segmenting audio alone. */
const EXPECTED_VIDEO_WAIT_MS = 10_000;

/** A segmenter fed by one hub stream into one rendition. */
interface Feed {
  stream: Stream;
  segmenter: Segmenter;
  detach: () => void;
}

/** Per-rendition facts the master playlist and the API show. */
export interface RenditionStatus {
  name: string;
  width: number | null;
  height: number | null;
  fps: number | null;
  codecs: string | null;
  /** Configured bitrate of a transcoded rendition, for BANDWIDTH before any segment is measured. */
  configuredBitrate: number | null;
  transcoder: { pid: number | null; cpuPercent: number; restarts: number } | null;
}

/**
 * The HLS side of one stream id: its renditions (the source, plus the ABR ladder when configured)
 * and the segmenters feeding them. Outlives a publish so a republish continues the same playlist
 * after a discontinuity.
 */
export class HlsStream {
  readonly renditions = new Map<string, Rendition>();
  /** Part of every URL: unique to this process's life of the stream id, so URLs never repeat. */
  readonly generation = Date.now().toString(36);
  stream: Stream | undefined;
  endedAt: number | undefined;
  private readonly feeds = new Map<string, Feed>();
  private readonly transcoders = new Map<string, Transcoder>();
  private endTimer: NodeJS.Timeout | undefined;
  private readonly offload: HlsOffloadWriter | undefined;

  constructor(
    readonly id: string,
    private readonly options: HlsOptions,
    private readonly log: Logger,
  ) {
    if (options.offload !== undefined) {
      const nominalBitrate = (name: string): number => {
        const spec = options.ladder?.renditions.find((r) => r.name === name);
        return spec !== undefined ? (spec.videoBitrateKbps + spec.audioBitrateKbps) * 1000 : (this.stream?.bitrate() ?? 0);
      };
      this.offload = new HlsOffloadWriter({ id, generation: this.generation, renditions: this.renditions, nominalBitrate }, options.offload, options, log);
    }
  }

  /** The source rendition, created on first use. */
  get source(): Rendition {
    return this.rendition('source');
  }

  /** Starts segmenting a (re)published stream; muxing begins with its first frames, before any viewer. */
  attach(stream: Stream): void {
    clearTimeout(this.endTimer);
    const republish = this.stream !== undefined || this.endedAt !== undefined;
    this.stopFeeds();
    this.stream = stream;
    this.endedAt = undefined;
    if (republish) for (const r of this.renditions.values()) r.republished();
    this.startFeed(this.source, stream);
    if (this.options.ladder?.start === 'with-stream') this.startLadder();
  }

  /** Starts the ABR transcoders if they are not running (the on-request mode calls this on the first master request). */
  startLadder(): void {
    const ladder = this.options.ladder;
    const stream = this.stream;
    if (ladder === undefined || stream === undefined || this.transcoders.size > 0) return;
    for (const spec of ladder.renditions) {
      const t = new Transcoder(spec, ladder, stream, this.options.derivedStreamOptions, this.log.child({ stream_id: this.id }));
      this.transcoders.set(spec.name, t);
      this.startFeed(this.rendition(spec.name), t.output);
      t.start();
    }
  }

  /** The publisher left: close the last segments now, and end the playlists unless it comes back soon. */
  detach(stream: Stream, onExpire: () => void): void {
    if (this.stream !== stream) return;
    this.stopFeeds();
    this.stream = undefined;
    this.endedAt = Date.now();
    // A publisher that reconnects within one target duration continues the playlist seamlessly.
    this.endTimer = setTimeout(() => {
      for (const r of this.renditions.values()) r.end();
      this.endTimer = setTimeout(onExpire, this.options.retainAfterEndMs);
      this.endTimer.unref();
    }, this.options.targetDurationMs);
    this.endTimer.unref();
  }

  status(): RenditionStatus[] {
    return [...this.renditions.values()].map((r) => {
      const feedStream = this.feeds.get(r.name)?.stream;
      const t = this.transcoders.get(r.name);
      const fps = feedStream?.fps();
      return {
        name: r.name,
        width: feedStream?.video?.width ?? null,
        height: feedStream?.video?.height ?? null,
        fps: fps !== undefined ? Math.round(fps * 1000) / 1000 : null,
        codecs: r.muxer?.codecs ?? null,
        configuredBitrate: t !== undefined ? (t.spec.videoBitrateKbps + t.spec.audioBitrateKbps) * 1000 : null,
        transcoder: t !== undefined ? { pid: t.pid ?? null, cpuPercent: t.cpuPercent, restarts: t.restarts } : null,
      };
    });
  }

  /** The transcoder of a rendition (tests kill it to check restarts). */
  transcoder(name: string): Transcoder | undefined {
    return this.transcoders.get(name);
  }

  close(): void {
    clearTimeout(this.endTimer);
    this.stopFeeds();
    if (this.options.diskPath !== undefined) void rm(join(this.options.diskPath, this.id, this.generation), { recursive: true, force: true });
  }

  private rendition(name: string): Rendition {
    let r = this.renditions.get(name);
    if (r === undefined) {
      const diskDir = this.options.diskPath !== undefined ? join(this.options.diskPath, this.id, this.generation, name) : undefined;
      r = new Rendition(name, { windowMs: this.options.windowMs, partSegments: 4, maxBytes: this.options.maxBytesPerRendition, ...(diskDir !== undefined ? { diskDir } : {}) });
      this.renditions.set(name, r);
      this.offload?.watch(r);
    }
    return r;
  }

  private startFeed(rendition: Rendition, stream: Stream): void {
    const createMuxer = (tracks: TrackSet): SegmentMuxer => (this.options.container === 'fmp4' ? new Fmp4SegmentMuxer(tracks) : createTsSegmentMuxer(tracks));
    // a publisher that announced video which comes late (transcoded) must not start audio-only
    const audioOnlyAfterMs = stream.publisher.expectsVideo === true ? EXPECTED_VIDEO_WAIT_MS : undefined;
    const segmenter = new Segmenter({ targetDurationMs: this.options.targetDurationMs, partTargetMs: this.options.partTargetMs, ...(audioOnlyAfterMs !== undefined ? { audioOnlyAfterMs } : {}) }, createMuxer, describeTrack);
    segmenter.on('muxer', (m) => rendition.setMuxer(m));
    segmenter.on('part', (p) => rendition.addPart(p));
    segmenter.on('segmentEnd', () => rendition.completeSegment());
    // Late attach (HLS enabled after the stream started): begin from the cached GOP.
    for (const f of stream.startupFrames()) segmenter.push(f);
    const detach = stream.addFrameListener((f) => {
      try {
        segmenter.push(f);
      } catch (err) {
        this.log.error({ err, stream_id: this.id, rendition: rendition.name }, 'hls segmenter failed on a frame');
      }
    });
    this.feeds.set(rendition.name, { stream, segmenter, detach });
  }

  private stopFeeds(): void {
    for (const t of this.transcoders.values()) t.stop();
    this.transcoders.clear();
    for (const feed of this.feeds.values()) {
      feed.detach();
      feed.segmenter.flush();
    }
    this.feeds.clear();
  }
}
