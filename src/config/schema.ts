import { z } from 'zod';

// Every section is strict: a misspelt key stops start-up with its path instead of being ignored.
// `.prefault({})` runs an omitted section through its own defaults.

const port = z.number().int().min(0).max(65535);
const seconds = z.number().positive();

export const ServerConfig = z.strictObject({
  host: z.string().min(1).default('0.0.0.0'),
  http_port: port.default(8080),
  /** How long a graceful stop waits for connections to close before cutting them. */
  shutdown_timeout_seconds: seconds.default(10),
  cors_origins: z.array(z.string()).default(['*']),
});

export const RtmpConfig = z.strictObject({
  port: port.default(1935),
  host: z.string().min(1).optional(),
  /** Application names accepted in rtmp://host/APP/KEY. */
  apps: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/)).min(1).default(['live']),
  /** Chunk size we send with; every player shares it so one encoding of a frame serves them all. */
  chunk_size: z.number().int().min(128).max(65536).default(60000),
  max_message_size: z.number().int().min(64 * 1024).max(16 * 1024 * 1024 - 1).default(8 * 1024 * 1024),
  window_ack_size: z.number().int().min(4096).default(5_000_000),
  handshake_timeout_seconds: seconds.default(10),
  /** A publisher that sends no media for this long, or a client that says nothing, is dropped. */
  idle_timeout_seconds: seconds.default(30),
  max_connections: z.number().int().min(1).default(10_000),
});

export const HubConfig = z.strictObject({
  gop_cache_max_frames: z.number().int().min(1).default(1800),
  gop_cache_max_bytes: z.number().int().min(64 * 1024).default(32 * 1024 * 1024),
  viewer_soft_limit_bytes: z.number().int().min(16 * 1024).default(2 * 1024 * 1024),
  viewer_hard_limit_bytes: z.number().int().min(32 * 1024).default(16 * 1024 * 1024),
  viewer_max_skip_seconds: seconds.default(10),
  /**
   * How long the hub gathers a stream's frames before writing them to RTMP/FLV viewers, in ms.
   * Each write is a syscall per viewer, and those are most of the fan-out's CPU: 20 ms (under one
   * frame at 30 fps) cuts them by about a quarter at 1000 players; 0 writes every event-loop turn.
   * HLS muxing sees every frame at once either way.
   */
  fanout_batch_ms: z.number().min(0).max(500).default(20),
});

export const AbrRendition = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/).refine((n) => n !== 'source', 'the name "source" is the untranscoded rendition'),
  height: z.number().int().min(64).max(4320),
  video_bitrate_kbps: z.number().int().min(64).max(100_000),
  audio_bitrate_kbps: z.number().int().min(16).max(512).default(128),
  fps: z.number().min(1).max(120).optional(),
});

export const AbrConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** Transcode from the moment a stream starts, or only once someone asks for the master playlist. */
  start: z.enum(['with-stream', 'on-request']).default('with-stream'),
  ffmpeg_path: z.string().min(1).default('ffmpeg'),
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  renditions: z
    .array(AbrRendition)
    .min(1)
    .default([
      { name: '720p', height: 720, video_bitrate_kbps: 2800, audio_bitrate_kbps: 128 },
      { name: '480p', height: 480, video_bitrate_kbps: 1400, audio_bitrate_kbps: 128 },
      { name: '360p', height: 360, video_bitrate_kbps: 800, audio_bitrate_kbps: 96 },
    ]),
});

export const HlsConfig = z.strictObject({
  segment_format: z.enum(['fmp4', 'mpegts']).default('fmp4'),
  segment_duration_seconds: z.number().min(1).max(10).default(2),
  low_latency: z.boolean().default(true),
  part_duration_seconds: z.number().min(0.1).max(2).default(0.3),
  /** How far back viewers can seek; 0 keeps a short live window (6 target durations). */
  dvr_window_seconds: z.number().min(0).max(24 * 3600).default(0),
  /** `event` lists every segment of the stream (whole stream seekable) within the memory cap. */
  playlist_type: z.enum(['live', 'event']).default('live'),
  max_memory_mb_per_stream: z.number().min(8).default(512),
  /** Directory for DVR history beyond the live edge (empty: memory only, within max_memory_mb_per_stream). */
  disk_path: z.string().default(''),
  retain_after_end_seconds: z.number().min(0).default(60),
  /** Copy segments and playlists to `storage` as they are made, for S3 + a CDN to serve (needs storage.type). */
  offload_to_storage: z.boolean().default(false),
  abr: AbrConfig.prefault({}),
});

export const WebRtcConfig = z.strictObject({
  /** The address to advertise in ICE candidates behind a 1:1 NAT. */
  public_ip: z.string().optional(),
  /**
   * UDP ports for ICE (one socket per peer per address), for firewalls that need a fixed range;
   * min = max (the default, 0) lets the OS pick, which never collides. With a range, peers are
   * placed by probing it: servers sharing one range can collide, so give each server its own.
   */
  udp_port_min: port.default(0),
  udp_port_max: port.default(0),
  stun_servers: z.array(z.string()).default([]),
  turn_servers: z.array(z.string()).default([]),
  /** coturn's static-auth-secret: clients get short-lived TURN credentials (REST scheme). */
  turn_secret: z.string().default(''),
  turn_credential_ttl_seconds: z.number().int().positive().default(3600),
  /** Bind ICE to this address only; empty uses every interface. */
  bind_address: z.string().default(''),
  max_rtp_payload_bytes: z.number().int().min(200).max(1400).default(1150),
  /** A WHIP/WHEP peer that does not connect within this is dropped. */
  connect_timeout_seconds: z.number().int().positive().default(15),
  /** WHIP Opus audio is transcoded to AAC by ffmpeg so HLS, RTMP and FLV viewers hear it. */
  transcode_whip_audio: z.boolean().default(true),
  ffmpeg_path: z.string().min(1).default('ffmpeg'),
  /**
   * WHEP viewers' WebRTC stack: direct (werift signaling, ZenLive's native SRTP sender for media),
   * native (libdatachannel), werift (pure JS); auto is direct where the native sender is built
   * (Linux), else native.
   */
  viewer_transport: z.enum(['auto', 'direct', 'native', 'werift']).default('auto'),
  /** Worker processes native WHEP viewers are spread over (each gets a copy of the streams its viewers watch); 0 keeps them in the server process. */
  viewer_workers: z.number().int().min(0).max(64).default(0),
  /** WHIP publishers are asked for a keyframe this often: HLS segments and recordings cut on keyframes (0: never). */
  whip_keyframe_interval_seconds: z.number().min(0).max(60).default(2),
  /** Participants per call room at `/ws/rtc`; each receives every other one, so this bounds the room's cost. */
  room_max_participants: z.number().int().min(2).max(100).default(16),
  /** Room subscribers' WebRTC stack: native (libdatachannel) or werift. */
  room_subscriber_transport: z.enum(['native', 'werift']).default('native'),
  /** Worker processes the rooms are spread over (each room on one, new rooms on the least busy); 0 runs rooms in the server process. */
  room_workers: z.number().int().min(0).max(64).default(0),
  /** Most one room publisher may send, all simulcast layers together; publishers are told by REMB. */
  room_max_publish_kbps: z.number().int().min(100).max(50_000).default(3000),
});

export const StreamingConfig = z.strictObject({
  enable_rtmp: z.boolean().default(true),
  enable_flv: z.boolean().default(true),
  enable_hls: z.boolean().default(true),
  enable_webrtc: z.boolean().default(false),
  rtmp: RtmpConfig.prefault({}),
  hub: HubConfig.prefault({}),
  hls: HlsConfig.prefault({}),
  webrtc: WebRtcConfig.prefault({}),
});

export const AuthConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** HS256 secret; in production at least 32 bytes and not a known default. */
  jwt_secret: z.string().default(''),
  /** Key pairs or secrets with a `kid`, several at once for rotation; the signing one is `signing_kid`. */
  jwt_keys: z
    .array(
      z.strictObject({
        kid: z.string().min(1),
        alg: z.enum(['HS256', 'EdDSA', 'RS256']),
        private_key: z.string().optional(),
        public_key: z.string().optional(),
        secret: z.string().optional(),
      }),
    )
    .default([]),
  signing_kid: z.string().default(''),
  issuer: z.string().min(1).default('zenlive'),
  audience: z.string().min(1).default('zenlive'),
  access_ttl_seconds: z.number().int().positive().default(900),
  refresh_ttl_seconds: z.number().int().positive().default(7 * 24 * 3600),
  playback_ttl_seconds: z.number().int().positive().default(3600),
  publish_ttl_seconds: z.number().int().positive().default(3600),
  /** JSON file of the built-in user directory; empty keeps users in memory. */
  users_file: z.string().default(''),
  /** JSON file of managed streams and stream-key hashes; empty keeps them in memory (lost on restart). */
  streams_file: z.string().default(''),
  allow_anonymous_viewers: z.boolean().default(true),
  /** How long a rotated stream key keeps working, so an encoder can be switched over. */
  stream_key_grace_seconds: z.number().int().min(0).default(300),
  /** HMAC secret for playback tokens; derived from the JWT secret when empty. */
  playback_token_secret: z.string().default(''),
  login_max_failures_per_account: z.number().int().min(1).default(5),
  login_max_failures_per_ip: z.number().int().min(1).default(50),
  login_throttle_window_seconds: z.number().int().positive().default(900),
  stream_key_max_failures_per_ip: z.number().int().min(1).default(20),
});

export const StorageConfig = z.strictObject({
  type: z.enum(['none', 'local', 's3']).default('none'),
  local: z.strictObject({ path: z.string().default('./data') }).prefault({}),
  s3: z
    .strictObject({
      bucket: z.string().default(''),
      region: z.string().default('us-east-1'),
      endpoint: z.string().default(''),
      force_path_style: z.boolean().default(false),
      access_key_id: z.string().default(''),
      secret_access_key: z.string().default(''),
    })
    .prefault({}),
});

const ThumbnailSize = z.strictObject({ width: z.number().int().min(16).max(3840), height: z.number().int().min(16).max(2160) });

export const WatermarkConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** Re-encode finished recordings with the watermark (costs an ffmpeg encode per part). */
  apply_to_recordings: z.boolean().default(false),
  /** Lay it over the transcoded ABR renditions (the source rendition is never re-encoded). */
  apply_to_renditions: z.boolean().default(true),
  kind: z.enum(['image', 'text']).default('text'),
  image_path: z.string().default(''),
  width_px: z.number().int().positive().optional(),
  text: z.string().default(''),
  font_size_px: z.number().int().positive().default(24),
  color: z.string().default('white'),
  font_file: z.string().optional(),
  position: z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right', 'center']).default('bottom-right'),
  margin_px: z.number().int().min(0).default(16),
  opacity: z.number().min(0).max(1).default(0.8),
});

export const RecordingConfig = z.strictObject({
  /** Needs `storage.type` local or s3: finished parts are uploaded there. */
  enabled: z.boolean().default(false),
  /** Record every stream that goes live; false records only streams switched on by API. */
  record_all: z.boolean().default(true),
  formats: z.array(z.enum(['mp4', 'flv'])).min(1).default(['mp4']),
  /** Start a new part every N minutes (on a keyframe); 0 never splits. */
  split_minutes: z.number().min(0).default(0),
  /** Delete recordings older than this; 0 keeps them forever. */
  retention_days: z.number().min(0).default(0),
  /** Local directory for parts being written (fragmented MP4 survives a crash here). */
  path: z.string().default('./data/recording-tmp'),
  /** Bytes a recording may queue for the disk before it fails rather than grow memory. */
  max_queued_mb: z.number().int().min(1).default(32),
  ffmpeg_path: z.string().min(1).default('ffmpeg'),
  thumbnails: z
    .strictObject({
      enabled: z.boolean().default(true),
      interval_seconds: z.number().positive().default(10),
      sizes: z.array(ThumbnailSize).min(1).default([{ width: 320, height: 180 }]),
      formats: z.array(z.enum(['jpg', 'webp'])).min(1).default(['jpg', 'webp']),
    })
    .prefault({}),
  watermark: WatermarkConfig.prefault({}),
});

export const ChatConfig = z.strictObject({
  enabled: z.boolean().default(true),
  enable_persistence: z.boolean().default(false),
  max_message_length: z.number().int().min(1).max(10_000).default(500),
  rate_limit_per_second: z.number().positive().default(5),
  history_size: z.number().int().min(0).default(100),
  /** Viewers without a token may join rooms and read; writing always needs an identity. */
  allow_anonymous_read: z.boolean().default(true),
  /** A client with more unsent bytes than this is disconnected (close 4408) as too slow. */
  slow_client_buffer_bytes: z.number().int().min(16 * 1024).default(1024 * 1024),
  /** A room's events are coalesced into one WebSocket frame per tick. */
  tick_ms: z.number().int().min(1).max(1000).default(20),
  /** The tick of a large room grows by 1 ms per 100 clients from tick_ms up to this. */
  max_tick_ms: z.number().int().min(1).max(1000).default(100),
  /** Joins and leaves are reported at most this often per room. */
  presence_interval_ms: z.number().int().min(50).default(1000),
  /** Client frames above this are refused with an error (at most 64 KiB: the WebSocket limit). */
  max_frame_bytes: z.number().int().min(1024).max(64 * 1024).default(16 * 1024),
  /** The same message from the same user in a room within this window is refused. */
  duplicate_window_seconds: z.number().min(0).default(30),
  max_rooms_per_connection: z.number().int().min(1).default(20),
  profanity_filter: z.enum(['off', 'mask', 'reject']).default('off'),
  /** Words the profanity filter catches, look-alike spellings included (4→a, 3→e, @→a, $→s, 0→o, 1→i/l). */
  profanity_words: z.array(z.string().min(1)).default([]),
});

export const WebhooksConfig = z.strictObject({
  enabled: z.boolean().default(true),
  /** JSON file keeping subscriptions (and their signing secrets, mode 0600) across restarts; empty keeps them in memory. */
  subscriptions_file: z.string().default(''),
  max_attempts: z.number().int().min(1).max(50).default(8),
  initial_backoff_ms: z.number().int().min(1).default(1000),
  /** Also caps a receiver's Retry-After, so one slow receiver cannot stall its queue for hours. */
  max_backoff_ms: z.number().int().min(1).default(300_000),
  /** Events waiting per subscription; when full the oldest is dropped (and counted). */
  queue_size: z.number().int().min(1).max(1_000_000).default(1000),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Requests in flight over all subscriptions. */
  concurrency: z.number().int().min(1).max(1024).default(16),
  delivery_log_size: z.number().int().min(1).max(10_000).default(100),
  secret_bytes: z.number().int().min(16).max(128).default(32),
  /** How long a stop lets queued deliveries go out before abandoning them. */
  stop_grace_ms: z.number().int().min(0).default(2000),
});

export const AnalyticsConfig = z.strictObject({
  enabled: z.boolean().default(false),
  enable_prometheus: z.boolean().default(false),
  prometheus_port: port.default(9090),
});

export const InteractiveConfig = z.strictObject({
  enabled: z.boolean().default(false),
});

export const SecurityConfig = z.strictObject({
  enabled: z.boolean().default(false),
  /** Hash-chained JSON-lines audit log (`zenlive audit verify FILE` checks it); empty keeps it in memory. */
  audit_log_file: z.string().default(''),
  ip_allowlist: z.array(z.string()).default([]),
  ip_denylist: z.array(z.string()).default([]),
});

export const ClusterConfig = z.strictObject({
  enabled: z.boolean().default(false),
  node_id: z.string().default(''),
  discovery_type: z.enum(['inmemory', 'redis']).default('inmemory'),
  virtual_nodes: z.number().int().min(1).default(150),
});

export const RedisConfig = z.strictObject({
  enabled: z.boolean().default(false),
  host: z.string().default('localhost'),
  port: port.default(6379),
  password: z.string().default(''),
  db: z.number().int().min(0).default(0),
  pool_size: z.number().int().min(1).default(10),
  max_retries: z.number().int().min(0).default(3),
  session_ttl_seconds: z.number().int().positive().default(24 * 3600),
});

export const LoggingConfig = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  format: z.enum(['json', 'text']).default('json'),
});

/** The whole configuration of the product, with every default. JSON files use these snake_case keys. */
export const ZenLiveConfigSchema = z.strictObject({
  environment: z.enum(['development', 'staging', 'production']).default('development'),
  server: ServerConfig.prefault({}),
  auth: AuthConfig.prefault({}),
  storage: StorageConfig.prefault({}),
  recording: RecordingConfig.prefault({}),
  streaming: StreamingConfig.prefault({}),
  chat: ChatConfig.prefault({}),
  webhooks: WebhooksConfig.prefault({}),
  analytics: AnalyticsConfig.prefault({}),
  interactive: InteractiveConfig.prefault({}),
  security: SecurityConfig.prefault({}),
  cluster: ClusterConfig.prefault({}),
  redis: RedisConfig.prefault({}),
  logging: LoggingConfig.prefault({}),
});

/** A validated configuration with every default filled in. */
export type ZenLiveConfig = z.output<typeof ZenLiveConfigSchema>;
/** What a user may write: any subset of the configuration. */
export type ZenLiveConfigInput = z.input<typeof ZenLiveConfigSchema>;
