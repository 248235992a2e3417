import type { IncomingMessage } from 'node:http';

/** Global roles an identity carries, from the app's auth. */
export type ChatRole = 'admin' | 'moderator' | 'publisher' | 'viewer' | 'anonymous';

/** Who a connection or REST caller is. */
export interface ChatIdentity {
  userId: string;
  name: string;
  role: ChatRole;
  /** Extra rights, e.g. `chat:moderate` (every room) or `chat:moderate:ROOM`. */
  grants?: string[];
}

/** Maps a token (or none) to an identity; null when the token is not valid. */
export type ChatAuthenticator = (token: string | undefined, request: IncomingMessage) => Promise<ChatIdentity | null>;

/** The user id of a room's broadcaster (the stream's publisher/owner), if any. */
export type RoomOwnerLookup = (roomId: string) => Promise<string | undefined> | string | undefined;

/** One audit line, in the shape of the security area's audit log (dotted type, actor, target, data). */
export interface ChatAuditEntry {
  type: string;
  actor?: string;
  target?: string;
  data?: Record<string, unknown>;
}

/** Receives one entry per moderation action (the app's audit log); must not throw. */
export interface AuditSink {
  append(entry: ChatAuditEntry): void;
}

/** The author of a message as clients see it. */
export interface ChatAuthor {
  id: string;
  name: string;
  /** Role badges: admin, moderator, broadcaster, mod (room moderator), publisher, system. */
  badges: string[];
}

/** A chat message as delivered to clients and app hooks. */
export interface ChatMessage {
  id: string;
  room: string;
  user: ChatAuthor;
  content: string;
  /** Server time in ms since the epoch. */
  ts: number;
  replyTo?: string;
}

/** A moderation action a moderator, the app or a REST caller can take in one room. */
export type ModerationAction =
  | { kind: 'ban'; userId: string; global?: boolean; durationSeconds?: number; reason?: string }
  | { kind: 'unban'; userId: string; global?: boolean }
  | { kind: 'timeout'; userId: string; durationSeconds: number; reason?: string }
  | { kind: 'untimeout'; userId: string }
  | { kind: 'mute'; userId: string; reason?: string }
  | { kind: 'unmute'; userId: string }
  | { kind: 'delete'; messageId: string }
  | { kind: 'purge'; userId: string }
  | { kind: 'clear' }
  | { kind: 'slow'; seconds: number }
  | { kind: 'emoteOnly'; enabled: boolean }
  | { kind: 'uniqueOnly'; enabled: boolean }
  | { kind: 'blockTerm'; term: string }
  | { kind: 'unblockTerm'; term: string }
  | { kind: 'mod'; userId: string }
  | { kind: 'unmod'; userId: string };

/** What happened, by whom: broadcast, audited and emitted for every moderation action. */
export interface ModerationRecord {
  id: string;
  room: string;
  action: ModerationAction;
  actor: { id: string; name: string; role: string };
  at: number;
  node: string;
}

/** Events the chat hands to the app (forwarded to the EventBus and webhooks). */
export type ChatEvent = { type: 'chatMessage'; message: ChatMessage } | { type: 'chatModeration'; record: ModerationRecord };
