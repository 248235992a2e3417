import type { FastifyInstance } from 'fastify';
import type { Logger } from '../base/index.js';
import { ConfigError, type ZenLiveConfig } from '../config/index.js';
import { EventBus } from '../events/index.js';
import { createHttpApp } from '../http/index.js';
import { describeStream, StreamRegistry, type AuthorizePublish, type StreamOptions } from '../hub/index.js';
import { registerFlvRoutes } from '../protocols/flv/index.js';
import { HlsService, registerHlsApiRoutes, type HlsOptions } from '../protocols/hls/index.js';
import { RtmpServer } from '../protocols/rtmp/index.js';
import { registerWatchRoutes } from '../protocols/watch/index.js';
import { pendingFeatures } from './feature-status.js';

/** HLS settings from config: windows and timeouts follow the segment target. */
function hlsOptions(c: ZenLiveConfig, corsOrigin: string, derivedStreamOptions: StreamOptions): HlsOptions {
  const h = c.streaming.hls;
  const targetDurationMs = h.segment_duration_seconds * 1000;
  const abr = h.abr;
  return {
    derivedStreamOptions,
    ...(abr.enabled
      ? {
          ladder: {
            renditions: abr.renditions.map((r) => ({ name: r.name, height: r.height, videoBitrateKbps: r.video_bitrate_kbps, audioBitrateKbps: r.audio_bitrate_kbps, ...(r.fps !== undefined ? { fps: r.fps } : {}) })),
            start: abr.start,
            ffmpegPath: abr.ffmpeg_path,
            preset: abr.preset,
            keyframeIntervalSeconds: h.segment_duration_seconds,
            minRestartMs: 1000,
            maxRestartMs: 30_000,
          },
        }
      : {}),
    container: h.segment_format,
    targetDurationMs,
    partTargetMs: h.low_latency ? h.part_duration_seconds * 1000 : 0,
    windowMs: h.playlist_type === 'event' ? Number.MAX_SAFE_INTEGER : Math.max(h.dvr_window_seconds * 1000, 6 * targetDurationMs),
    playlistType: h.playlist_type,
    maxBytesPerRendition: h.max_memory_mb_per_stream * 1024 * 1024,
    ...(h.disk_path !== '' ? { diskPath: h.disk_path } : {}),
    retainAfterEndMs: h.retain_after_end_seconds * 1000,
    blockingTimeoutMs: 3 * targetDurationMs,
    sessionTimeoutMs: Math.max(10_000, 3 * targetDurationMs),
    corsOrigin,
  };
}

/** Functions an embedding app plugs in. */
export interface AppHooks {
  authorizePublish?: AuthorizePublish;
}

type Phase = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * The composition root: the only place that reads the config and builds the services.
 * It owns start-up order (HTTP, then RTMP) and graceful shutdown (streams end, players are told,
 * listeners close).
 */
export class ZenLiveApp {
  readonly registry: StreamRegistry;
  readonly bus: EventBus;
  private rtmp: RtmpServer | undefined;
  private http: FastifyInstance | undefined;
  private hls: HlsService | undefined;
  private phase: Phase = 'created';
  private readonly log: Logger;
  private readonly streamOptions: StreamOptions;

  constructor(
    readonly config: ZenLiveConfig,
    private readonly hooks: AppHooks,
    private readonly rootLogger: Logger,
  ) {
    this.log = rootLogger.child({ component: 'app' });
    const hub = config.streaming.hub;
    this.streamOptions = {
      gopCache: { maxFrames: hub.gop_cache_max_frames, maxBytes: hub.gop_cache_max_bytes },
      backpressure: { softLimitBytes: hub.viewer_soft_limit_bytes, hardLimitBytes: hub.viewer_hard_limit_bytes, maxSkipMs: hub.viewer_max_skip_seconds * 1000 },
      batchMs: hub.fanout_batch_ms,
    };
    this.registry = new StreamRegistry(this.streamOptions);
    this.bus = new EventBus(this.log);
    this.wireEvents();
  }

  get running(): boolean {
    return this.phase === 'running';
  }

  get rtmpPort(): number | undefined {
    return this.rtmp?.port;
  }

  get httpPort(): number | undefined {
    const address = this.http?.server.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  setAuthorizePublish(hook: AuthorizePublish | undefined): void {
    this.hooks.authorizePublish = hook;
    this.rtmp?.setAuthorizePublish(hook);
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`cannot start: server is ${this.phase}`);
    const { warnings, blockers } = pendingFeatures(this.config);
    if (blockers.length > 0) throw new ConfigError(blockers);
    this.phase = 'starting';
    for (const w of warnings) this.log.warn({ feature: w.split(':')[0] }, w);
    try {
      await this.startHttp();
      await this.startRtmp();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.phase = 'running';
    this.log.info({ rtmp_port: this.rtmpPort ?? null, http_port: this.httpPort }, 'zenlive started');
  }

  /** Ends every stream (players get a clean end), closes listeners, waits at most the configured timeout. */
  async stop(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'stopping') return;
    this.phase = 'stopping';
    const timeoutMs = this.config.server.shutdown_timeout_seconds * 1000;
    this.registry.endAll('server-stopping');
    this.hls?.close();
    await this.rtmp?.close(timeoutMs);
    if (this.http !== undefined) {
      const http = this.http;
      const force = setTimeout(() => http.server.closeAllConnections(), timeoutMs);
      http.server.closeIdleConnections();
      await http.close();
      clearTimeout(force);
    }
    this.phase = 'stopped';
    this.log.info('zenlive stopped');
  }

  private async startHttp(): Promise<void> {
    const c = this.config;
    const corsOrigin = c.server.cors_origins.includes('*') ? '*' : (c.server.cors_origins[0] ?? '*');
    if (c.streaming.enable_hls) {
      this.hls = new HlsService(this.registry, hlsOptions(c, corsOrigin, this.streamOptions), this.rootLogger);
      this.hls.start();
    }
    const hls = this.hls;
    const http = await createHttpApp({
      logger: this.rootLogger,
      registry: this.registry,
      isReady: () => this.phase === 'running',
      corsOrigins: c.server.cors_origins,
      fastPaths: hls !== undefined ? [(exchange) => hls.handle(exchange)] : [],
    });
    if (hls !== undefined) registerHlsApiRoutes(http, hls);
    if (c.streaming.enable_flv) registerFlvRoutes(http, { registry: this.registry, logger: this.rootLogger, corsOrigin });
    if (c.streaming.enable_hls) registerWatchRoutes(http, { logger: this.rootLogger });
    this.http = http;
    await http.listen({ host: c.server.host, port: c.server.http_port });
  }

  private async startRtmp(): Promise<void> {
    const c = this.config;
    if (!c.streaming.enable_rtmp) return;
    const r = c.streaming.rtmp;
    this.rtmp = new RtmpServer({
      host: r.host ?? c.server.host,
      port: r.port,
      apps: r.apps,
      chunkSize: r.chunk_size,
      windowAckSize: r.window_ack_size,
      maxMessageSize: r.max_message_size,
      handshakeTimeoutMs: r.handshake_timeout_seconds * 1000,
      idleTimeoutMs: r.idle_timeout_seconds * 1000,
      maxConnections: r.max_connections,
      registry: this.registry,
      ...(this.hooks.authorizePublish !== undefined ? { authorizePublish: this.hooks.authorizePublish } : {}),
      logger: this.rootLogger,
    });
    await this.rtmp.listen();
  }

  private wireEvents(): void {
    const r = this.registry;
    const bus = this.bus;
    r.on('streamCreated', (s) => bus.emit('streamCreated', describeStream(s)));
    r.on('streamStarted', (s) => {
      this.log.info({ stream_id: s.id, event: 'stream_started' }, 'stream live');
      bus.emit('streamStarted', describeStream(s));
    });
    r.on('streamEnded', (s) => {
      this.log.info({ stream_id: s.id, event: 'stream_ended' }, 'stream ended');
      bus.emit('streamEnded', describeStream(s));
    });
    r.on('streamFailed', (s, err) => bus.emit('streamFailed', describeStream(s), err));
    r.on('viewerJoined', (s, v) => bus.emit('viewerJoined', { streamId: s.id, viewerId: v.id, protocol: v.protocol, remoteAddress: v.remoteAddress ?? null }));
    r.on('viewerLeft', (s, v, reason) =>
      bus.emit('viewerLeft', { streamId: s.id, viewerId: v.id, protocol: v.protocol, remoteAddress: v.remoteAddress ?? null, reason }),
    );
  }
}
