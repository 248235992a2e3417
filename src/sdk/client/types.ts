/**
 * Request and answer shapes of the REST API, as the client sends and reads them. They mirror the
 * zod schemas of src/http/routes (test/api-client.test.ts checks that they stay equal) and are
 * written out here so the client carries no server code.
 */
import type { ManagedStreamView } from '../../http/index.js';

export type Role = 'admin' | 'publisher' | 'moderator' | 'viewer';

/** One stream: live fields (state, codecs, viewers...) joined with its catalog entry, if any. */
export type StreamView = ManagedStreamView;

export interface TokenPair {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  sessionId: string;
}

export interface SignedIn extends TokenPair {
  user: { id: string; username: string; role: Role };
}

export interface Grant {
  permission: string;
  streamId?: string;
  roomId?: string;
}

export interface Me {
  id?: string;
  username?: string;
  role: Role | 'anonymous';
  sessionId: string | null;
  grants: Grant[];
}

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
}

export interface CreateUserInput {
  username: string;
  /** At least 12 characters. */
  password: string;
  role: Role;
}

export interface UpdateUserInput {
  role?: Role | undefined;
  password?: string | undefined;
}

export interface PageOptions {
  /** 1 to 200; 50 by default. */
  limit?: number;
  cursor?: string;
}

export interface UserPage {
  items: User[];
  nextCursor?: string;
}

export interface CreateStreamInput {
  /** Letters, digits and `_ . -`; generated when omitted. */
  id?: string | undefined;
  title: string;
  private?: boolean | undefined;
}

export interface UpdateStreamInput {
  title?: string | undefined;
  private?: boolean | undefined;
}

export interface CreatedStream {
  stream: StreamView;
  /** The RTMP stream key, shown only here. */
  streamKey: string;
}

export interface StreamList {
  streams: StreamView[];
  total: number;
  nextCursor: string | null;
}

export type StreamAction = 'start' | 'stop' | 'pause' | 'resume';

export interface RotatedKey {
  streamId: string;
  streamKey: string;
  previousKeysValidForSeconds: number;
}

export interface RevokedKeys {
  streamId: string;
  revoked: number;
}

export interface PublishTokenInput {
  ttlSeconds?: number | undefined;
}

export interface PublishToken {
  streamId: string;
  token: string;
  expiresAt: string;
}

export interface PlaybackTokenInput {
  ttlSeconds?: number | undefined;
  /** true binds the token to the caller's address; a string binds it to that address. */
  bindIp?: boolean | string | undefined;
}

export interface PlaybackToken {
  streamId: string;
  token: string;
  expiresAt: string;
  boundIp: string | null;
}

export interface RenditionStatus {
  name: string;
  width: number | null;
  height: number | null;
  fps: number | null;
  codecs: string | null;
  configuredBitrate: number | null;
  transcoder: { pid: number | null; cpuPercent: number; restarts: number } | null;
}

export interface Renditions {
  renditions: RenditionStatus[];
  transcodingCpuPercent: number;
}

export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  /** The session of the token that asked. */
  current: boolean;
}

export interface WebhookStats {
  queued: number;
  delivered: number;
  failed: number;
  dropped: number;
  retries: number;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  description: string;
  createdAt: string;
  stats: WebhookStats;
}

export interface CreatedWebhook extends Webhook {
  /** HMAC-SHA256 key of the ZenLive-Webhook-Signature header, shown only here. */
  secret: string;
}

export interface CreateWebhookInput {
  url: string;
  /** Event types, or `['*']` (the default) for all. */
  events?: string[];
  active?: boolean;
  description?: string;
  /** Your own signing secret (24+ characters); one is generated when omitted. */
  secret?: string;
}

export interface UpdateWebhookInput {
  url?: string;
  events?: string[];
  active?: boolean;
  description?: string;
}

export interface WebhookList {
  webhooks: Webhook[];
  nextCursor: string | null;
}

export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  attempt: number;
  at: string;
  outcome: 'delivered' | 'retrying' | 'failed' | 'dropped';
  status: number | null;
  durationMs: number;
  error: string | null;
  retryInMs: number | null;
}

export interface Jwks {
  keys: Array<Record<string, unknown>>;
}
