import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, authorize, createAuth, SharedStateSessionStore, SigningKeyError, WeakSecretError, type Auth, type Grant, type Principal, type ResourceRef, type VerifyCredentials } from '../auth/index.js';
import type { Logger } from '../base/index.js';
import { ChatService, createChatApi, registerChatRoutes, type ChatApi, type ChatIdentity } from '../chat/index.js';
import { ConfigError, type ZenLiveConfig } from '../config/index.js';
import { EventBus, FileWebhookStore, forwardBusToWebhooks, MemoryWebhookStore, WEBHOOK_BUS_EVENT_TYPES, WebhookService } from '../events/index.js';
import { createGuard, createHttpApp, registerAuthRoutes, registerSessionRoutes, registerStreamAdminRoutes, registerUserRoutes, registerWebhookRoutes, visibleTo, type Guard } from '../http/index.js';
import { describeStream, StreamRegistry, type AuthorizePublish, type StreamOptions } from '../hub/index.js';
import { registerFlvRoutes } from '../protocols/flv/index.js';
import { HlsService, registerHlsApiRoutes, type HlsOptions } from '../protocols/hls/index.js';
import { RtmpServer } from '../protocols/rtmp/index.js';
import { registerWatchRoutes } from '../protocols/watch/index.js';
import { nativeSrtpUnavailable, registerRoomRoutes, registerRoomSignaling, registerWebRtcRoutes, RoomService, RoomWorkerPool, WebRtcService, type ConnectionState, type RoomAction, type RoomHost, type RoomIdentity, type WebRtcOptions } from '../protocols/webrtc/index.js';
import { FileAuditLog, MemoryAuditSink, type AuditSink } from '../security/index.js';
import { buildWatermarkFilter, createStorage, HlsOffload, Recorder, RecordingCatalog, registerRecordingRoutes, RetentionSweeper, ThumbnailService, type RecordingEvent, type Storage, type Watermark } from '../storage/index.js';
import { createMemoryState, RedisState, type SharedState } from '../state/index.js';
import { pendingFeatures } from './feature-status.js';
import { PRODUCT_VERSION } from './product-version.js';

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
            ...(c.recording.watermark.enabled && c.recording.watermark.apply_to_renditions ? { watermark: buildWatermarkFilter(watermarkOf(c.recording.watermark), { videoInput: 'scaled' }) } : {}),
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

/** WHIP/WHEP settings from `streaming.webrtc`. */
function webRtcOptions(c: ZenLiveConfig): Omit<WebRtcOptions, 'registry' | 'logger'> {
  const w = c.streaming.webrtc;
  return {
    stunServers: w.stun_servers,
    turnServers: w.turn_servers.map((url) => ({ urls: [url] })),
    ...(w.turn_secret !== '' ? { turnSecret: { secret: w.turn_secret, ttlSeconds: w.turn_credential_ttl_seconds } } : {}),
    ...(w.public_ip !== undefined ? { publicIp: w.public_ip } : {}),
    // werift needs min < max; an empty range lets the OS pick.
    ...(w.udp_port_min < w.udp_port_max ? { udpPortRange: [w.udp_port_min, w.udp_port_max] as [number, number] } : {}),
    ...(w.bind_address !== '' ? { bindAddress: w.bind_address } : {}),
    maxRtpPayloadSize: w.max_rtp_payload_bytes,
    connectTimeoutMs: w.connect_timeout_seconds * 1000,
    ffmpegPath: w.ffmpeg_path,
    transcodeWhipAudio: w.transcode_whip_audio,
    whipKeyframeIntervalMs: w.whip_keyframe_interval_seconds * 1000,
    viewerTransport: w.viewer_transport !== 'auto' ? w.viewer_transport : nativeSrtpUnavailable() === undefined ? 'direct' : 'native',
    viewerWorkers: w.viewer_workers,
  };
}

/** The watermark config section as the storage area takes it. */
function watermarkOf(w: ZenLiveConfig['recording']['watermark']): Watermark {
  const common = { position: w.position, marginPx: w.margin_px, opacity: w.opacity };
  if (w.kind === 'image') return { kind: 'image', imagePath: w.image_path, ...common, ...(w.width_px !== undefined ? { widthPx: w.width_px } : {}) };
  return { kind: 'text', text: w.text, ...common, fontSizePx: w.font_size_px, color: w.color, ...(w.font_file !== undefined ? { fontFile: w.font_file } : {}) };
}

/** Functions an embedding app plugs in. */
export interface AppHooks {
  /** Replaces the built-in stream-key check when given. */
  authorizePublish?: AuthorizePublish;
  /** The app's own accounts for login, instead of the built-in user directory. */
  verifyCredentials?: VerifyCredentials;
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
  private webrtc: WebRtcService | undefined;
  private rooms: RoomHost | undefined;
  private auth: Auth | undefined;
  private auditLog: FileAuditLog | undefined;
  private auditSink: AuditSink | undefined;
  /** Shared state: in this process, or Redis when cluster mode is on. */
  readonly state: SharedState;
  private readonly chat: ChatService | undefined;
  /** What `live.chat` exposes; undefined when chat.enabled is false. */
  readonly chatApi: ChatApi | undefined;
  private webhooks: WebhookService | undefined;
  private storage: Storage | undefined;
  private recorder: Recorder | undefined;
  private thumbnails: ThumbnailService | undefined;
  private retention: RetentionSweeper | undefined;
  private detachWebhooks: (() => void) | undefined;
  private webhookFile: FileWebhookStore | undefined;
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
    this.state = config.cluster.enabled || config.redis.enabled
      ? new RedisState({ host: config.redis.host, port: config.redis.port, password: config.redis.password, db: config.redis.db, maxRetriesPerRequest: config.redis.max_retries, keyPrefix: 'zenlive:', logger: rootLogger })
      : createMemoryState();
    this.chat = config.chat.enabled ? this.buildChat() : undefined;
    this.chatApi = this.chat !== undefined ? createChatApi(this.chat) : undefined;
    this.wireEvents();
    const w = config.webhooks;
    if (w.enabled) {
      this.webhookFile = w.subscriptions_file !== '' ? new FileWebhookStore(w.subscriptions_file) : undefined;
      this.webhooks = new WebhookService({
        store: this.webhookFile ?? new MemoryWebhookStore(),
        eventTypes: WEBHOOK_BUS_EVENT_TYPES,
        delivery: {
          maxAttempts: w.max_attempts,
          initialBackoffMs: w.initial_backoff_ms,
          maxBackoffMs: w.max_backoff_ms,
          queueSize: w.queue_size,
          timeoutMs: w.timeout_ms,
          concurrency: w.concurrency,
          deliveryLogSize: w.delivery_log_size,
        },
        secretBytes: w.secret_bytes,
        logger: rootLogger,
      });
      this.detachWebhooks = forwardBusToWebhooks(this.bus, this.webhooks);
    }
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

  /** Replaces the publish check; `undefined` goes back to the built-in stream keys (open when auth is off). */
  setAuthorizePublish(hook: AuthorizePublish | undefined): void {
    this.hooks.authorizePublish = hook;
    this.rtmp?.setAuthorizePublish(this.publishAuthorizer());
    this.webrtc?.setAuthorizePublish(this.publishAuthorizer());
  }

  private publishAuthorizer(): AuthorizePublish | undefined {
    return this.hooks.authorizePublish ?? this.auth?.authorizePublish;
  }

  async start(): Promise<void> {
    if (this.phase !== 'created') throw new Error(`cannot start: server is ${this.phase}`);
    const { warnings, blockers } = pendingFeatures(this.config);
    if (blockers.length > 0) throw new ConfigError(blockers);
    this.phase = 'starting';
    for (const w of warnings) this.log.warn({ feature: w.split(':')[0] }, w);
    try {
      if (this.state instanceof RedisState) await this.startRedis(this.state);
      await this.startAuth();
      await this.webhookFile?.load();
      await this.chat?.start();
      await this.startRecording();
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
    await this.chat?.close();
    this.retention?.close();
    // Parts not finalised by the timeout are recovered at the next start.
    await Promise.race([this.recorder?.close(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.thumbnails?.close();
    this.hls?.close();
    await this.webrtc?.close();
    await this.rooms?.close();
    await this.rtmp?.close(timeoutMs);
    if (this.http !== undefined) {
      const http = this.http;
      const force = setTimeout(() => http.server.closeAllConnections(), timeoutMs);
      http.server.closeIdleConnections();
      await http.close();
      clearTimeout(force);
    }
    // After the listeners close, so the streamEnded events of the stop are queued and get their grace.
    this.detachWebhooks?.();
    await this.webhooks?.close(Math.min(this.config.webhooks.stop_grace_ms, timeoutMs));
    await this.auth?.close();
    await this.auditLog?.close();
    await this.state.close();
    this.phase = 'stopped';
    this.log.info('zenlive stopped');
  }

  /** Cluster mode needs its Redis: start-up stops with a message naming where it looked. */
  private async startRedis(state: RedisState): Promise<void> {
    const r = this.config.redis;
    try {
      await state.start();
    } catch (err) {
      throw new Error(`redis at ${r.host}:${r.port} (redis.host, redis.port) is not reachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async startAuth(): Promise<void> {
    const c = this.config;
    let audit: AuditSink = new MemoryAuditSink();
    if (c.security.audit_log_file !== '') {
      this.auditLog = await FileAuditLog.open({ file: c.security.audit_log_file, logger: this.rootLogger });
      audit = this.auditLog;
    }
    this.auditSink = audit;
    this.auth = await this.buildAuth(audit);
  }

  /** Weak secrets and unusable keys are configuration errors: start-up stops naming the key (exit 2). */
  private async buildAuth(audit: AuditSink): Promise<Auth> {
    try {
      return await this.createAuth(audit);
    } catch (err) {
      if (err instanceof WeakSecretError || err instanceof SigningKeyError) throw new ConfigError([err.message], { cause: err });
      throw err;
    }
  }

  private createAuth(audit: AuditSink): Promise<Auth> {
    const c = this.config;
    const a = c.auth;
    return createAuth({
      enabled: a.enabled,
      environment: c.environment,
      jwtSecret: a.jwt_secret,
      jwtKeys: a.jwt_keys.map((k) => ({
        kid: k.kid,
        alg: k.alg,
        ...(k.secret !== undefined ? { secret: k.secret } : {}),
        ...(k.private_key !== undefined ? { privateKey: k.private_key } : {}),
        ...(k.public_key !== undefined ? { publicKey: k.public_key } : {}),
      })),
      ...(a.signing_kid !== '' ? { signingKid: a.signing_kid } : {}),
      issuer: a.issuer,
      audience: a.audience,
      accessTtlSeconds: a.access_ttl_seconds,
      refreshTtlSeconds: a.refresh_ttl_seconds,
      playbackTtlSeconds: a.playback_ttl_seconds,
      publishTtlSeconds: a.publish_ttl_seconds,
      usersFile: a.users_file,
      streamsFile: a.streams_file,
      // Sessions and refresh families shared by every node when state is in Redis.
      ...(this.state.kind === 'redis' ? { sessions: new SharedStateSessionStore(this.state.kv) } : {}),
      allowAnonymousViewers: a.allow_anonymous_viewers,
      streamKeyGraceSeconds: a.stream_key_grace_seconds,
      playbackTokenSecret: a.playback_token_secret,
      loginThrottle: { maxFailuresPerAccount: a.login_max_failures_per_account, maxFailuresPerIp: a.login_max_failures_per_ip, windowSeconds: a.login_throttle_window_seconds },
      streamKeyThrottle: { maxFailuresPerIp: a.stream_key_max_failures_per_ip, windowSeconds: a.login_throttle_window_seconds },
      audit,
      ...(this.hooks.verifyCredentials !== undefined ? { verifyCredentials: this.hooks.verifyCredentials } : {}),
      logger: this.rootLogger,
    });
  }

  private async startRecording(): Promise<void> {
    const { storage: st, recording: r } = this.config;
    this.storage = createStorage({
      type: st.type,
      local: { path: st.local.path },
      s3: { bucket: st.s3.bucket, region: st.s3.region, endpoint: st.s3.endpoint, forcePathStyle: st.s3.force_path_style, accessKeyId: st.s3.access_key_id, secretAccessKey: st.s3.secret_access_key },
    });
    if (this.storage === undefined) return;
    await mkdir(r.path, { recursive: true });
    if (r.thumbnails.enabled) {
      this.thumbnails = new ThumbnailService({ ffmpegPath: r.ffmpeg_path, sizes: r.thumbnails.sizes, formats: r.thumbnails.formats, intervalMs: r.thumbnails.interval_seconds * 1000, tempDir: r.path, logger: this.rootLogger });
      this.thumbnails.watchRegistry(this.registry);
    }
    if (!r.enabled) return;
    const w = r.watermark;
    this.recorder = new Recorder({
      registry: this.registry,
      storage: this.storage,
      tempDir: r.path,
      formats: r.formats,
      recordAll: r.record_all,
      splitMinutes: r.split_minutes,
      maxQueuedBytes: r.max_queued_mb * 1024 * 1024,
      ...(this.thumbnails !== undefined ? { thumbnails: this.thumbnails } : {}),
      ...(w.enabled && w.apply_to_recordings ? { watermark: { ffmpegPath: r.ffmpeg_path, watermark: watermarkOf(w) } } : {}),
      onEvent: (e) => this.onRecordingEvent(e),
      logger: this.rootLogger,
    });
    await this.recorder.start();
    // Parts a crash left behind are finalised in the background; start-up does not wait for them.
    void this.recorder.recoverInterrupted().catch((err: unknown) => this.log.error({ err }, 'recording recovery failed'));
    this.retention = new RetentionSweeper({ catalog: this.recorder.catalog, retentionDays: r.retention_days, logger: this.rootLogger });
    this.retention.start();
  }

  private onRecordingEvent(e: RecordingEvent): void {
    if (e.type === 'recordingStarted') this.bus.emit('recordingStarted', e.recording);
    else if (e.type === 'recordingFinished') this.bus.emit('recordingFinished', e.recording);
    else this.bus.emit('recordingFailed', { recordingId: e.recordingId, streamId: e.streamId }, e.error);
  }

  /**
   * Chat with identities from auth (access tokens) and room owners from the stream catalog; built
   * in the constructor so `live.chat` hooks can be set before start.
   */
  private buildChat(): ChatService {
    const c = this.config;
    const ch = c.chat;
    const nodeId = (c.cluster.node_id !== '' ? c.cluster.node_id : `${hostname()}-${process.pid}`).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    return new ChatService({
      nodeId,
      state: this.state,
      authenticate: async (token) => {
        const auth = this.auth;
        if (token === undefined || auth === undefined) return null;
        try {
          // an access token of a signed-in user, or a room token an app minted for a participant
          const p = await auth.service.authenticate(token).catch(() => auth.service.authenticateRoomToken(token));
          if (p.userId === undefined) return null;
          const grants = p.grants.filter((g) => g.permission === 'chat:moderate').map((g) => (g.roomId !== undefined ? `chat:moderate:${g.roomId}` : 'chat:moderate'));
          const identity: ChatIdentity = { userId: p.userId, name: p.username ?? p.userId, role: p.role, grants };
          return identity;
        } catch {
          return null;
        }
      },
      roomOwner: (room) => this.auth?.catalog.get(room)?.ownerId,
      audit: { append: (entry) => this.auditSink?.append(entry) },
      onEvent: (e) => (e.type === 'chatMessage' ? this.bus.emit('chatMessage', e.message) : this.bus.emit('chatModeration', e.record)),
      logger: this.rootLogger,
      maxMessageLength: ch.max_message_length,
      rateLimitPerSecond: ch.rate_limit_per_second,
      historySize: ch.enable_persistence ? ch.history_size : 0,
      allowAnonymousRead: ch.allow_anonymous_read,
      slowClientBufferBytes: ch.slow_client_buffer_bytes,
      tickMs: ch.tick_ms,
      maxTickMs: ch.max_tick_ms,
      presenceIntervalMs: ch.presence_interval_ms,
      maxFrameBytes: ch.max_frame_bytes,
      maxBadFrames: 2,
      duplicateWindowMs: ch.duplicate_window_seconds * 1000,
      uniqueWindow: 500,
      maxRoomsPerConnection: ch.max_rooms_per_connection,
      roomIdleMs: 5 * 60_000,
      profanity: { mode: ch.profanity_filter, words: ch.profanity_words },
    });
  }

  private async startHttp(): Promise<void> {
    const c = this.config;
    const corsOrigin = c.server.cors_origins.includes('*') ? '*' : (c.server.cors_origins[0] ?? '*');
    if (c.streaming.enable_hls) {
      const authorizePlay = this.auth?.authorizePlay;
      const offload = c.streaming.hls.offload_to_storage && this.storage !== undefined ? new HlsOffload({ storage: this.storage, logger: this.rootLogger }) : undefined;
      this.hls = new HlsService(
        this.registry,
        { ...hlsOptions(c, corsOrigin, this.streamOptions), ...(authorizePlay !== undefined ? { authorizePlay } : {}), ...(offload !== undefined ? { offload } : {}) },
        this.rootLogger,
      );
      this.hls.start();
    }
    const hls = this.hls;
    const http = await createHttpApp({
      logger: this.rootLogger,
      registry: this.registry,
      isReady: () => this.phase === 'running',
      corsOrigins: c.server.cors_origins,
      fastPaths: hls !== undefined ? [(exchange) => hls.handle(exchange)] : [],
      apiDocs: { title: 'ZenLive API', version: PRODUCT_VERSION, bearerAuth: c.auth.enabled },
    });
    const auth = this.auth;
    if (auth === undefined) throw new Error('auth must start before http');
    const guard = createGuard({ enabled: auth.enabled, auth: auth.service, logger: this.rootLogger });
    await registerAuthRoutes(http, { auth: auth.service, tokens: auth.tokens, guard });
    await registerUserRoutes(http, { users: auth.users, auth: auth.service, audit: auth.audit, guard });
    await registerSessionRoutes(http, { sessions: auth.sessions, audit: auth.audit, guard });
    await registerStreamAdminRoutes(http, {
      registry: this.registry,
      tokens: auth.tokens,
      catalog: auth.catalog,
      keys: auth.keys,
      playbackTokens: auth.playbackTokens,
      audit: auth.audit,
      guard,
      streamKeyGraceSeconds: auth.streamKeyGraceSeconds,
      playbackTtlSeconds: auth.playbackTtlSeconds,
    });
    const recordings = this.recorder?.catalog ?? (this.storage !== undefined ? new RecordingCatalog(this.storage) : undefined);
    if (recordings !== undefined || this.thumbnails !== undefined) {
      const streamOwner = (req: FastifyRequest): ResourceRef | undefined => {
        const id = (req.params as { id?: string }).id;
        const managed = id !== undefined ? auth.catalog.get(id) : undefined;
        return managed !== undefined ? { streamId: managed.id, ownerId: managed.ownerId } : id !== undefined ? { streamId: id } : undefined;
      };
      registerRecordingRoutes(http, {
        ...(recordings !== undefined ? { catalog: recordings } : {}),
        ...(this.recorder !== undefined ? { recorder: this.recorder } : {}),
        ...(this.thumbnails !== undefined ? { thumbnails: this.thumbnails } : {}),
        corsOrigin,
        guards: { read: guard.requirePermission('recordings:read'), delete: guard.requirePermission('recordings:delete'), control: guard.requirePermission('streams:control', { ownerOf: streamOwner }) },
      });
    }
    if (this.webhooks !== undefined) registerWebhookRoutes(http, { service: this.webhooks, ...(guard.enabled ? { preHandler: guard.requirePermission('webhooks:manage') } : {}) });
    if (hls !== undefined) {
      registerHlsApiRoutes(http, hls, {
        canSee: async (req, streamId) => {
          const managed = auth.catalog.get(streamId);
          return managed === undefined || !auth.enabled || visibleTo(await guard.identify(req))(managed);
        },
      });
    }
    if (c.streaming.enable_flv) registerFlvRoutes(http, { registry: this.registry, logger: this.rootLogger, corsOrigin, ...(auth.authorizePlay !== undefined ? { authorizePlay: auth.authorizePlay } : {}) });
    if (c.streaming.enable_hls) registerWatchRoutes(http, { logger: this.rootLogger });
    if (this.chat !== undefined) registerChatRoutes(http, this.chat);
    if (c.streaming.enable_webrtc) {
      const authorizePublish = this.publishAuthorizer();
      this.webrtc = new WebRtcService({
        ...webRtcOptions(c),
        registry: this.registry,
        logger: this.rootLogger,
        ...(authorizePublish !== undefined ? { authorizePublish } : {}),
        ...(auth.authorizePlay !== undefined ? { authorizePlay: auth.authorizePlay } : {}),
      });
      await this.webrtc.ready();
      registerWebRtcRoutes(http, this.webrtc, { corsOrigin, ...(guard.enabled ? { sessionsGuard: guard.requirePermission('users:manage') } : {}) });
      this.rooms = await this.buildRooms(http, guard);
    }
    this.http = http;
    await http.listen({ host: c.server.host, port: c.server.http_port });
  }

  /**
   * Call rooms at `/ws/rtc`: identities from access tokens, `rooms:join/publish/subscribe` checked
   * per room (scoped grants allow a room to a user without a role that has it), the browser client
   * at `/rtc/zenlive-rtc.js` and room stats under `/api/v1/rooms`.
   */
  private async buildRooms(http: FastifyInstance, guard: Guard): Promise<RoomHost> {
    const c = this.config;
    const auth = this.auth;
    if (auth === undefined) throw new Error('auth must start before rooms');
    const w = webRtcOptions(c);
    const principals = new WeakMap<RoomIdentity, Principal>();
    const settings = {
      network: { ...(w.udpPortRange !== undefined ? { udpPortRange: w.udpPortRange } : {}), ...(w.bindAddress !== undefined ? { bindAddress: w.bindAddress } : {}) },
      settings: { connectTimeoutMs: w.connectTimeoutMs ?? 15_000, disconnectGraceMs: 10_000, ...(w.publicIp !== undefined ? { publicIp: w.publicIp } : {}) },
      stunServers: w.stunServers,
      turnServers: w.turnServers,
      ...(w.turnSecret !== undefined ? { turnSecret: w.turnSecret } : {}),
      maxParticipants: c.streaming.webrtc.room_max_participants,
      maxPublishBitrateBps: c.streaming.webrtc.room_max_publish_kbps * 1000,
      subscriberTransport: c.streaming.webrtc.room_subscriber_transport,
    };
    const authorizeRoom = ({ identity }: ConnectionState, action: RoomAction, roomId: string): boolean =>
      !auth.enabled || authorize((identity !== undefined ? principals.get(identity) : undefined) ?? ANONYMOUS, `rooms:${action}`, { roomId }).allow;
    const workers = c.streaming.webrtc.room_workers;
    let rooms: RoomHost;
    if (workers > 0) {
      const pool = new RoomWorkerPool({ workers, init: settings, logger: this.rootLogger, authorize: authorizeRoom });
      await pool.ready();
      rooms = pool;
    } else {
      rooms = new RoomService({ ...settings, logger: this.rootLogger, authorize: authorizeRoom });
    }
    registerRoomSignaling(http, rooms, {
      logger: this.rootLogger,
      authenticate: async (token) => {
        try {
          // an access token of a signed-in user, or a room token an app minted for a participant
          const p = await auth.service.authenticate(token).catch(() => auth.service.authenticateRoomToken(token));
          if (p.userId === undefined) return null;
          const identity: RoomIdentity = { userId: p.userId, name: p.username ?? p.userId, role: p.role };
          principals.set(identity, p);
          return identity;
        } catch {
          return null;
        }
      },
    });
    const roomOf = (req: FastifyRequest): ResourceRef => ({ roomId: (req.params as { id?: string }).id ?? '' });
    registerRoomRoutes(http, rooms, {
      list: guard.requirePermission('users:manage'),
      read: guard.requirePermission('rooms:join', { ownerOf: roomOf }),
      issue: guard.requirePermission('rooms:manage', { ownerOf: roomOf }),
      issueToken: async (roomId, r) => {
        const grants: Grant[] = [{ permission: 'rooms:join', roomId }];
        if (r.publish) grants.push({ permission: 'rooms:publish', roomId });
        if (r.subscribe) grants.push({ permission: 'rooms:subscribe', roomId });
        const issued = await auth.tokens.issue('room', { sub: r.identity, ...(r.name !== undefined ? { username: r.name } : {}), grants }, { ttlSeconds: r.ttlSeconds });
        auth.audit.append({ type: 'rooms.token_issued', target: r.identity, data: { room: roomId, publish: r.publish, subscribe: r.subscribe, ttl_seconds: r.ttlSeconds } });
        return { token: issued.token, expiresAt: issued.exp };
      },
    });
    return rooms;
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
      ...(this.publishAuthorizer() !== undefined ? { authorizePublish: this.publishAuthorizer() } : {}),
      ...(this.auth?.authorizePlay !== undefined ? { authorizePlay: this.auth.authorizePlay } : {}),
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
