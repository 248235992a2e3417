import type { Logger } from '../base/index.js';
import type { SharedState } from '../state/index.js';
import type { AuditSink, ChatAuthenticator, ChatEvent, RoomOwnerLookup } from './types.js';

/** Everything the chat needs, already validated by the composition root. */
export interface ChatServiceOptions {
  /** Unique per node: part of message ids and presence reports. */
  nodeId: string;
  state: SharedState;
  authenticate: ChatAuthenticator;
  roomOwner?: RoomOwnerLookup;
  audit?: AuditSink;
  /** Chat events for the app's EventBus. */
  onEvent?: (event: ChatEvent) => void;
  logger: Logger;
  /** Code points after normalisation (config max_message_length, 500). */
  maxMessageLength: number;
  /** Messages per second per user (config rate_limit_per_second, 5); the burst equals it. */
  rateLimitPerSecond: number;
  /** Messages kept per room and sent to joiners; 0 keeps none (enable_persistence false). */
  historySize: number;
  /** Viewers without a token may join and read. */
  allowAnonymousRead: boolean;
  /** A client with more unsent bytes than this is disconnected as too slow. */
  slowClientBufferBytes: number;
  /** Events of a room are coalesced for this long into one frame (small rooms). */
  tickMs: number;
  /** The tick of a large room: it grows by 1 ms per 100 clients from tickMs up to this. */
  maxTickMs: number;
  /** Presence reports (joins/leaves coalesced) go out this often. */
  presenceIntervalMs: number;
  /** Client frames above this many bytes are refused. */
  maxFrameBytes: number;
  /** Bad frames (malformed or oversized) tolerated before the connection is closed; the first ones get an error frame. */
  maxBadFrames: number;
  /** The same content from the same user within this window is refused. */
  duplicateWindowMs: number;
  /** Last N contents per room checked in unique-message mode. */
  uniqueWindow: number;
  /** Rooms one connection may be in at once. */
  maxRoomsPerConnection: number;
  /** A room without local clients releases its subscription and history after this long. */
  roomIdleMs: number;
  profanity: { mode: 'off' | 'mask' | 'reject'; words: readonly string[] };
  now?: () => number;
}

/** Defaults for everything the config does not name (tests and embedding). */
export const CHAT_DEFAULTS = {
  maxMessageLength: 500,
  rateLimitPerSecond: 5,
  historySize: 0,
  allowAnonymousRead: true,
  slowClientBufferBytes: 1024 * 1024,
  tickMs: 20,
  maxTickMs: 100,
  presenceIntervalMs: 1000,
  maxFrameBytes: 16 * 1024,
  maxBadFrames: 2,
  duplicateWindowMs: 30_000,
  uniqueWindow: 500,
  maxRoomsPerConnection: 20,
  roomIdleMs: 5 * 60_000,
  profanity: { mode: 'off', words: [] },
} as const satisfies Partial<ChatServiceOptions>;
