import { EventEmitter } from 'node:events';
import { LatencyHistogram } from '../base/index.js';
import type { AudioTrackInfo, HubFrame, MediaFrame, VideoTrackInfo } from '../media/index.js';
import { describeConfigFrame } from '../media/index.js';
import { IllegalTransitionError } from './errors.js';
import { FanOut, Viewer } from './fan-out.js';
import { GopCache, type GopCacheLimits } from './gop-cache.js';
import { canTransition, isFinal, type StreamState } from './stream-state.js';
import { StreamStats } from './stream-stats.js';
import type { BackpressureLimits, SubscribeOptions, Subscription, SubscriberEndReason, ViewerProtocol } from './subscriber.js';
import { TimestampGuard } from './timestamp-guard.js';

/** Who is publishing a stream. */
export interface PublisherInfo {
  protocol: 'rtmp' | 'webrtc' | 'relay' | 'transcoder';
  remoteAddress?: string;
  /** Free text the encoder announced (RTMP flashVer / onMetaData encoder). */
  encoder?: string;
  /**
   * The publisher declared video that may reach the hub only after its audio (e.g. a WHIP
   * publisher's VP8, transcoded by ffmpeg): consumers wait for it instead of starting audio-only.
   */
  expectsVideo?: boolean;
}

const MAX_PLAUSIBLE_FPS = 240;

/** Settings a stream takes from config. */
export interface StreamOptions {
  gopCache: GopCacheLimits;
  backpressure: BackpressureLimits;
  /** Gather frames this long (ms) before writing them to viewers; 0, the default, flushes every event-loop turn. */
  batchMs?: number;
}

/** Called synchronously with every frame the stream accepts: muxers and recorders that must see all frames. */
export type FrameListener = (frame: HubFrame) => void;

export interface StreamEvents {
  state: [from: StreamState, to: StreamState];
  /** A frame listener threw; it stays attached, the stream goes on. */
  listenerError: [error: unknown];
  viewerJoined: [viewer: Subscription];
  viewerLeft: [viewer: Subscription, reason: SubscriberEndReason];
  trackInfo: [];
}

interface PullViewer extends Subscription {
  readonly droppedFrames: 0;
}

/** Why a stream ended, as told to its viewers and the API. */
export type StreamEndReason = 'publisher-left' | 'stopped' | 'server-stopping';

/**
 * One live stream: the lifecycle state machine, the GOP cache, the viewers and the fan-out.
 * A publisher's session pushes frames in; every output subscribes with a FrameFormat and a sink.
 */
export class Stream extends EventEmitter<StreamEvents> {
  readonly createdAt = Date.now();
  readonly timeline = new TimestampGuard();
  private currentState: StreamState = 'IDLE';
  startedAt: number | undefined;
  endedAt: number | undefined;
  video: VideoTrackInfo | undefined;
  audio: AudioTrackInfo | undefined;
  /** The publisher's onMetaData, as plain values. */
  metadata: Record<string, unknown> = {};
  failure: Error | undefined;
  private readonly gop: GopCache;
  private readonly fanOut: FanOut;
  /** Viewers whose format is realtime: each frame goes to them at once, outside the batch. */
  private readonly realtimeFanOut: FanOut;
  /** How long handing each frame to every realtime viewer took: the server's part of their latency. */
  readonly realtimeDelivery = new LatencyHistogram();
  /** For each realtime viewer and frame: how long after the frame entered the hub that viewer was handed it. */
  readonly realtimeViewerDelivery = new LatencyHistogram();
  private readonly batchMs: number;
  private readonly stats = new StreamStats();
  private batch: HubFrame[] = [];
  private flushScheduled = false;
  private lastVideoConfig: Buffer | undefined;
  private readonly frameListeners = new Set<FrameListener>();
  /** Viewers that pull rather than get pushed to (HLS sessions): counted, not fanned out to. */
  private readonly pullViewers = new Set<PullViewer>();
  private lastAudioConfig: Buffer | undefined;

  constructor(
    readonly id: string,
    readonly publisher: PublisherInfo,
    options: StreamOptions,
  ) {
    super();
    this.gop = new GopCache(options.gopCache);
    this.fanOut = new FanOut(options.backpressure);
    this.realtimeFanOut = new FanOut(options.backpressure);
    this.batchMs = options.batchMs ?? 0;
  }

  get state(): StreamState {
    return this.currentState;
  }

  /** Moves the state machine; an illegal move throws IllegalTransitionError and changes nothing. */
  transition(to: StreamState): void {
    const from = this.currentState;
    if (!canTransition(from, to)) throw new IllegalTransitionError(this.id, from, to);
    this.currentState = to;
    if (to === 'LIVE' && this.startedAt === undefined) this.startedAt = Date.now();
    if (isFinal(to)) this.endedAt = Date.now();
    this.emit('state', from, to);
  }

  /** Takes a frame from the publisher: caches it, measures it, and queues it for every viewer. */
  push(frame: HubFrame): void {
    const state = this.currentState;
    if (state === 'STARTING' && frame.kind !== 'metadata') this.transition('LIVE');
    else if (state !== 'LIVE' && state !== 'PAUSED' && state !== 'STARTING') return;
    if (frame.kind !== 'metadata') {
      this.stats.record(frame, Date.now());
      if (frame.config) this.noteConfig(frame);
    }
    this.gop.push(frame);
    for (const listener of this.frameListeners) {
      try {
        listener(frame);
      } catch (err) {
        this.emit('listenerError', err);
      }
    }
    // Paused: keep ingesting and caching so resume starts on a fresh keyframe, deliver nothing.
    if (this.currentState === 'PAUSED') return;
    if (this.realtimeFanOut.viewers.length > 0) {
      const start = performance.now();
      this.realtimeFanOut.deliver([frame], start, this.realtimeViewerDelivery);
      this.realtimeDelivery.record(performance.now() - start);
    }
    if (this.fanOut.viewers.length === 0) return;
    this.batch.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One write per viewer per batch: a longer batch means fewer, larger writes (syscalls).
      if (this.batchMs > 0) setTimeout(this.flush, this.batchMs);
      else setImmediate(this.flush);
    }
  }

  /** Writes the queued frames now; runs once per batch (an event-loop turn, or batchMs) so each viewer gets one write per batch. */
  readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.fanOut.deliver(batch, performance.now());
  };

  /**
   * Taps every frame from now on, e.g. an HLS segmenter or a recorder, which must start with the
   * stream rather than with a viewer. Returns a function that removes the tap.
   */
  addFrameListener(listener: FrameListener): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** The frames a consumer joining now needs to start decoding: metadata, sequence headers, the current GOP. */
  startupFrames(): HubFrame[] {
    return this.gop.snapshot();
  }

  /** Counts a viewer that fetches on its own (an HLS session); `unsubscribe()` when it goes away. */
  addPullViewer(options: { id: string; protocol: ViewerProtocol; remoteAddress?: string }): Subscription {
    const viewer: PullViewer = {
      id: options.id,
      protocol: options.protocol,
      remoteAddress: options.remoteAddress,
      droppedFrames: 0,
      unsubscribe: () => {
        if (this.pullViewers.delete(viewer)) this.emit('viewerLeft', viewer, 'unsubscribed');
      },
    };
    this.pullViewers.add(viewer);
    this.emit('viewerJoined', viewer);
    return viewer;
  }

  /** Adds a viewer; it first receives the preamble and the GOP cache, so its first video frame is a keyframe. */
  subscribe(options: SubscribeOptions): Subscription {
    // Frames already queued are in the GOP cache too: deliver them to current viewers first so
    // the newcomer does not get them twice.
    this.flush();
    const viewer = new Viewer(options, (v, reason) => this.detach(v, reason));
    const fanOut = options.format.realtime === true ? this.realtimeFanOut : this.fanOut;
    fanOut.prime(viewer, this.currentState === 'PAUSED' ? [] : this.gop.snapshot(), options.preamble);
    fanOut.add(viewer);
    this.emit('viewerJoined', viewer);
    return viewer;
  }

  pause(): void {
    this.transition('PAUSED');
    this.batch = [];
  }

  resume(): void {
    this.transition('LIVE');
    // Viewers resume from the latest keyframe, as if they had just joined.
    const snapshot = this.gop.snapshot();
    for (const fanOut of [this.fanOut, this.realtimeFanOut]) for (const viewer of fanOut.viewers) fanOut.prime(viewer, snapshot);
  }

  /** Ends the stream cleanly: pending frames go out, then every viewer is closed. */
  end(reason: StreamEndReason = 'publisher-left'): void {
    if (isFinal(this.currentState) || this.currentState === 'STOPPING') return;
    this.transition('STOPPING');
    this.flush();
    this.closeViewers(reason === 'server-stopping' ? 'server-stopping' : 'stream-ended');
    this.gop.clear();
    this.transition('ENDED');
  }

  /** Ends the stream because something broke; viewers are closed and the error is kept for the API. */
  fail(error: Error): void {
    if (isFinal(this.currentState)) return;
    this.failure = error;
    this.closeViewers('stream-failed');
    this.gop.clear();
    this.transition('FAILED');
  }

  viewerCounts(): Record<ViewerProtocol, number> & { total: number } {
    const counts = { total: 0, rtmp: 0, flv: 0, 'ws-flv': 0, hls: 0, webrtc: 0, other: 0 };
    for (const v of [...this.fanOut.viewers, ...this.realtimeFanOut.viewers]) {
      counts[v.protocol]++;
      counts.total++;
    }
    for (const v of this.pullViewers) {
      counts[v.protocol]++;
      counts.total++;
    }
    return counts;
  }

  /** Ingest bitrate in bits per second over the last few seconds. */
  bitrate(): number {
    return this.stats.bitrate(Date.now());
  }

  /** Video frames per second: from the bitstream or onMetaData when given, else measured. */
  fps(): number | undefined {
    // timing info claiming more than 240 fps is an encoder's time base, not a frame rate (x264 fed
    // from a millisecond-timed pipe writes 1000): measure instead
    if (this.video?.fps !== undefined && this.video.fps <= MAX_PLAUSIBLE_FPS) return this.video.fps;
    const declared = this.metadata['framerate'] ?? this.metadata['fps'];
    if (typeof declared === 'number' && declared > 0) return declared;
    const measured = this.stats.framesPerSecond(Date.now());
    return measured > 0 ? measured : undefined;
  }

  get droppedFrames(): number {
    return this.fanOut.droppedFrames + this.realtimeFanOut.droppedFrames;
  }

  get gopCacheFrames(): number {
    return this.gop.frameCount;
  }

  private noteConfig(frame: MediaFrame): void {
    // Encoders resend identical sequence headers; parse only when they change.
    if (frame.kind === 'video') {
      if (this.lastVideoConfig?.equals(frame.data)) return;
      this.lastVideoConfig = frame.data;
    } else {
      if (this.lastAudioConfig?.equals(frame.data)) return;
      this.lastAudioConfig = frame.data;
    }
    let info: VideoTrackInfo | AudioTrackInfo | undefined;
    try {
      info = describeConfigFrame(frame);
    } catch {
      // A sequence header we cannot read still plays for viewers; only the API loses the details.
      return;
    }
    if (info === undefined) return;
    if (frame.kind === 'video') this.video = info as VideoTrackInfo;
    else this.audio = info as AudioTrackInfo;
    this.emit('trackInfo');
  }

  private closeViewers(reason: SubscriberEndReason): void {
    for (const viewer of [...this.fanOut.viewers, ...this.realtimeFanOut.viewers]) viewer.end(reason);
    for (const viewer of [...this.pullViewers]) {
      this.pullViewers.delete(viewer);
      this.emit('viewerLeft', viewer, reason);
    }
  }

  private detach(viewer: Viewer, reason: SubscriberEndReason): void {
    this.fanOut.remove(viewer);
    this.realtimeFanOut.remove(viewer);
    this.emit('viewerLeft', viewer, reason);
  }
}
