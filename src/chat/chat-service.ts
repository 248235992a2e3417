import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '../base/index.js';
import type { Subscription } from '../state/index.js';
import { ChatRoom } from './chat-room.js';
import { ClientConnection, CloseCode } from './client-connection.js';
import { ChatAuthFailedError, ChatAuthRequiredError, ChatBannedError, ChatRoomError, ChatVetoedError } from './errors.js';
import { MessageIdGenerator } from './message-id.js';
import { executeModeration, SYSTEM_ACTOR } from './moderation-executor.js';
import { ModerationStore } from './moderation-store.js';
import { normalizeContent } from './normalize.js';
import { CHAT_DEFAULTS, type ChatServiceOptions } from './options.js';
import { badgesOf, rankOf, Rank } from './permissions.js';
import { PresenceTracker, type PresenceChange } from './presence.js';
import { isRoomId, PROTOCOL_VERSION } from './protocol.js';
import { publicSettings } from './room-settings.js';
import type { ChatAuthor, ChatIdentity, ChatMessage, ModerationAction, ModerationRecord } from './types.js';
import { WriteGuard } from './write-guard.js';

/** May veto (return false or null) or transform (return a message) a user's message before broadcast. */
export type MessageHook = (message: ChatMessage) => ChatMessage | boolean | null | undefined | void | Promise<ChatMessage | boolean | null | undefined | void>;

/** Counters for metrics and benchmarks. */
export interface ChatStats {
  connections: number;
  rooms: number;
  messagesPosted: number;
  framesSent: number;
  slowClientsDisconnected: number;
  badFrames: number;
}

const roomChannel = (room: string): string => `chat:room:${room}`;
const GLOBAL_CHANNEL = 'chat:global';
const MAX_KNOWN_IDENTITIES = 10_000;

/**
 * Chat rooms on this node. Every room event (message, delete, clear, system) is published on the
 * room's shared-state channel and applied when it comes back, on every node alike, so all
 * nodes see one order and deliver each event exactly once to their clients.
 */
export class ChatService {
  readonly options: ChatServiceOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly rooms = new Map<string, { room: ChatRoom; sub: Subscription }>();
  private readonly opening = new Map<string, Promise<ChatRoom>>();
  private readonly connections = new Set<ClientConnection>();
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly identities = new Map<string, ChatIdentity>();
  private readonly hooks: MessageHook[] = [];
  private readonly ids: MessageIdGenerator;
  private readonly store: ModerationStore;
  private readonly guard: WriteGuard;
  private readonly presence: PresenceTracker;
  private globalSub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private nextConnection = 1;
  private closing = false;
  private readonly counters = { messagesPosted: 0, slowClientsDisconnected: 0, badFrames: 0, framesSentByClosedRooms: 0 };

  constructor(options: Partial<ChatServiceOptions> & Pick<ChatServiceOptions, 'nodeId' | 'state' | 'authenticate' | 'logger'>) {
    this.options = { ...CHAT_DEFAULTS, ...options };
    const o = this.options;
    this.now = o.now ?? Date.now;
    this.log = o.logger.child({ component: 'chat', node: o.nodeId });
    this.ids = new MessageIdGenerator(o.nodeId, this.now);
    this.store = new ModerationStore(o.state.kv);
    this.guard = new WriteGuard({ maxMessageLength: o.maxMessageLength, rateLimitPerSecond: o.rateLimitPerSecond, duplicateWindowMs: o.duplicateWindowMs, profanity: o.profanity, now: this.now });
    this.presence = new PresenceTracker({
      nodeId: o.nodeId,
      pubsub: o.state.pubsub,
      tickMs: o.presenceIntervalMs,
      heartbeatTicks: 5,
      localCounts: () => this.localCounts(),
      localCount: (room) => this.rooms.get(room)?.room.users.size ?? 0,
      onChange: (c) => this.presenceChanged(c),
      onError: (err) => this.log.warn({ err }, 'presence publish failed'),
      now: this.now,
    });
  }

  async start(): Promise<void> {
    await this.presence.start();
    this.globalSub = await this.options.state.pubsub.subscribe(GLOBAL_CHANNEL, (m) => this.onGlobal(m));
    this.sweeper = setInterval(() => void this.releaseIdleRooms(), Math.min(30_000, this.options.roomIdleMs));
    this.sweeper.unref();
    this.log.info({ state: this.options.state.kind }, 'chat started');
  }

  /** Tells every client the server is going away and releases subscriptions; the state back end is the caller's. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    for (const { room } of this.rooms.values()) room.flush();
    for (const c of this.connections) c.close(CloseCode.shuttingDown, 'server shutting down');
    await this.presence.close();
    await this.globalSub?.unsubscribe();
    for (const { room, sub } of this.rooms.values()) {
      room.close();
      await sub.unsubscribe().catch(() => undefined);
    }
    this.rooms.clear();
  }

  get stats(): ChatStats {
    let framesSent = this.counters.framesSentByClosedRooms;
    for (const { room } of this.rooms.values()) framesSent += room.framesSent;
    return {
      connections: this.connections.size,
      rooms: this.rooms.size,
      messagesPosted: this.counters.messagesPosted,
      framesSent,
      slowClientsDisconnected: this.counters.slowClientsDisconnected,
      badFrames: this.counters.badFrames,
    };
  }

  // ---- identity and connections ----

  /** Resolves a token to an identity; no token gives an anonymous identity. */
  async authenticate(token: string | undefined, request: IncomingMessage): Promise<ChatIdentity> {
    if (token === undefined || token === '') return this.anonymous();
    const identity = await this.options.authenticate(token, request);
    if (identity === null) throw new ChatAuthFailedError('token not accepted');
    this.remember(identity);
    return identity;
  }

  anonymous(): ChatIdentity {
    return { userId: `anon-${this.options.nodeId}-${this.nextConnection}`, name: 'anonymous', role: 'anonymous' };
  }

  openConnection(ws: WebSocket, identity: ChatIdentity): ClientConnection {
    const conn = new ClientConnection(`c${this.nextConnection++}`, ws, identity, this.options.slowClientBufferBytes, (c) => {
      this.counters.slowClientsDisconnected++;
      this.log.warn({ connection: c.id, user: c.identity.userId, buffered: c.bufferedBytes }, 'slow chat client disconnected');
    });
    this.connections.add(conn);
    this.indexUser(conn);
    return conn;
  }

  closeConnection(conn: ClientConnection): void {
    for (const room of [...conn.rooms]) this.leave(conn, room);
    this.connections.delete(conn);
    this.unindexUser(conn);
  }

  /** Replaces a connection's identity (the `auth` frame), re-entering its rooms under the new name. */
  async reauthenticate(conn: ClientConnection, identity: ChatIdentity): Promise<void> {
    const rooms = [...conn.rooms];
    for (const r of rooms) this.leave(conn, r);
    this.unindexUser(conn);
    conn.identity = identity;
    this.indexUser(conn);
    for (const r of rooms) await this.join(conn, r);
  }

  countBadFrame(): void {
    this.counters.badFrames++;
  }

  // ---- rooms ----

  async join(conn: ClientConnection, roomId: string, ref?: string): Promise<void> {
    if (!isRoomId(roomId)) throw new ChatRoomError(`invalid room id`);
    const identity = conn.identity;
    if (identity.role === 'anonymous' && !this.options.allowAnonymousRead) throw new ChatAuthRequiredError('sign in to read this chat');
    if (!conn.rooms.has(roomId) && conn.rooms.size >= this.options.maxRoomsPerConnection) throw new ChatRoomError(`at most ${this.options.maxRoomsPerConnection} rooms per connection`);
    const standing = await this.store.standing(roomId, identity.userId);
    if (standing.bannedInRoom || standing.bannedGlobally) throw new ChatBannedError(`you are banned from ${roomId}`);
    const room = await this.ensureRoom(roomId);
    if (conn.isClosed) return;
    if (!conn.rooms.has(roomId)) {
      // Queued events predate this client: send them to the others now; history covers the messages.
      room.flush();
      room.clients.add(conn);
      conn.rooms.add(roomId);
      const u = room.users.get(identity.userId);
      if (u === undefined) {
        room.users.set(identity.userId, { name: identity.name, connections: 1 });
        this.presence.joined(roomId, identity.userId, identity.name);
      } else {
        u.connections++;
      }
    }
    const head = JSON.stringify({ v: PROTOCOL_VERSION, type: 'joined', room: roomId, ...(ref !== undefined ? { ref } : {}), settings: publicSettings(standing.settings), presence: { count: this.presence.total(roomId) } });
    // History is spliced in as stored JSON: nothing is serialised again per joiner.
    conn.sendText(`${head.slice(0, -1)},"history":[${room.historyJson().join(',')}]}`);
  }

  leave(conn: ClientConnection, roomId: string): void {
    const entry = this.rooms.get(roomId);
    if (!conn.rooms.delete(roomId) || entry === undefined) return;
    const room = entry.room;
    room.clients.delete(conn);
    const u = room.users.get(conn.identity.userId);
    if (u !== undefined && --u.connections <= 0) {
      room.users.delete(conn.identity.userId);
      this.presence.left(roomId, conn.identity.userId, u.name);
    }
    if (room.clients.size === 0) room.idleSince = this.now();
  }

  private async ensureRoom(roomId: string): Promise<ChatRoom> {
    const existing = this.rooms.get(roomId);
    if (existing !== undefined) return existing.room;
    let pending = this.opening.get(roomId);
    if (pending === undefined) {
      pending = (async () => {
        const o = this.options;
        const room = new ChatRoom(roomId, o.historySize, o.tickMs, Math.max(o.tickMs, o.maxTickMs), o.uniqueWindow, this.now());
        const sub = await o.state.pubsub.subscribe(roomChannel(roomId), (json) => this.onRoomEvent(room, json));
        this.rooms.set(roomId, { room, sub });
        return room;
      })().finally(() => this.opening.delete(roomId));
      this.opening.set(roomId, pending);
    }
    return pending;
  }

  private async releaseIdleRooms(): Promise<void> {
    const t = this.now();
    for (const [id, { room, sub }] of this.rooms) {
      if (room.clients.size > 0 || t - room.idleSince < this.options.roomIdleMs) continue;
      this.rooms.delete(id);
      this.counters.framesSentByClosedRooms += room.framesSent;
      room.close();
      await sub.unsubscribe().catch((err: unknown) => this.log.warn({ err, room: id }, 'unsubscribe failed'));
    }
  }

  private localCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, { room }] of this.rooms) if (room.users.size > 0) out.set(id, room.users.size);
    return out;
  }

  // ---- what arrives from the shared channel ----

  private onRoomEvent(room: ChatRoom, json: string): void {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(json) as Record<string, unknown>;
    } catch {
      this.log.warn({ room: room.id }, 'unreadable room event ignored');
      return;
    }
    switch (e.type) {
      case 'message':
      case 'reply':
        room.addMessage(toMessage(e), json);
        break;
      case 'delete': {
        const ids = Array.isArray(e.ids) ? (e.ids as unknown[]) : [];
        const userId = e.userId;
        room.deleteMessages((m) => ids.includes(m.id) || (typeof userId === 'string' && m.user.id === userId));
        break;
      }
      case 'clear':
        room.clearHistory();
        break;
    }
    room.enqueue(json);
    if (e.type === 'system' && e.action === 'ban' && e.global !== true && typeof e.userId === 'string') {
      // The banned user gets the notice, then leaves the room.
      room.flush();
      for (const c of this.byUser.get(e.userId) ?? []) if (c.rooms.has(room.id)) this.leave(c, room.id);
    }
  }

  private onGlobal(json: string): void {
    try {
      const e = JSON.parse(json) as { type?: string; userId?: string };
      if (e.type !== 'globalBan' || typeof e.userId !== 'string') return;
      for (const { room } of this.rooms.values()) room.flush();
      for (const c of [...(this.byUser.get(e.userId) ?? [])]) c.close(CloseCode.banned, 'banned');
    } catch {
      this.log.warn('unreadable global chat event ignored');
    }
  }

  private presenceChanged(c: PresenceChange): void {
    const entry = this.rooms.get(c.room);
    if (entry === undefined) return;
    entry.room.enqueue(JSON.stringify({ v: PROTOCOL_VERSION, type: 'presence', ...c }));
  }

  // ---- writing ----

  /** Registers a hook run on every user message before broadcast; returns the unregister function. */
  onMessage(hook: MessageHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** A user's message: every check, the app's hooks, then broadcast on all nodes. */
  async post(identity: ChatIdentity, roomId: string, raw: string, replyTo?: string): Promise<ChatMessage> {
    if (identity.role === 'anonymous') throw new ChatAuthRequiredError('sign in to write');
    if (!isRoomId(roomId)) throw new ChatRoomError('invalid room id');
    const room = await this.ensureRoom(roomId);
    const standing = await this.store.standing(roomId, identity.userId);
    const facts = { identity, room: roomId, isOwner: (await this.ownerOf(roomId)) === identity.userId, isRoomModerator: standing.roomModerator };
    const { normalized, content } = this.guard.check({ userId: identity.userId, room, raw, standing, privileged: rankOf(facts) >= Rank.roomModerator });
    let message: ChatMessage = {
      id: this.ids.next(),
      room: roomId,
      user: { id: identity.userId, name: identity.name, badges: badgesOf(facts) },
      content,
      ts: this.now(),
      ...(replyTo !== undefined ? { replyTo } : {}),
    };
    for (const hook of this.hooks) {
      const out = await hook(message);
      if (out === false || out === null) throw new ChatVetoedError('message refused by the application');
      // The app may change what is said, not where or by which id.
      if (typeof out === 'object') message = { ...out, id: message.id, room: message.room, ts: message.ts };
    }
    this.guard.accepted(identity.userId, room, normalized);
    await this.publishMessage(message);
    return message;
  }

  /** A message from the app itself (SDK `send`): no rate limit or filters, no hooks. */
  async postAsApp(roomId: string, content: string, user: Partial<ChatAuthor> = {}, replyTo?: string): Promise<ChatMessage> {
    if (!isRoomId(roomId)) throw new ChatRoomError('invalid room id');
    const message: ChatMessage = {
      id: this.ids.next(),
      room: roomId,
      user: { id: user.id ?? 'system', name: user.name ?? 'System', badges: user.badges ?? ['system'] },
      content: normalizeContent(content),
      ts: this.now(),
      ...(replyTo !== undefined ? { replyTo } : {}),
    };
    await this.publishMessage(message);
    return message;
  }

  private async publishMessage(message: ChatMessage): Promise<void> {
    const json = JSON.stringify({ v: PROTOCOL_VERSION, type: message.replyTo !== undefined ? 'reply' : 'message', ...message });
    await this.options.state.pubsub.publish(roomChannel(message.room), json);
    this.counters.messagesPosted++;
    this.options.onEvent?.({ type: 'chatMessage', message });
  }

  // ---- moderation ----

  /** Runs a moderation action as `actor` (or as the app when actor is omitted). */
  async moderate(roomId: string, action: ModerationAction, actor?: ChatIdentity): Promise<ModerationRecord> {
    if (!isRoomId(roomId)) throw new ChatRoomError('invalid room id');
    if (actor?.role === 'anonymous') throw new ChatAuthRequiredError('sign in to moderate');
    return executeModeration(
      {
        store: this.store,
        nodeId: this.options.nodeId,
        now: this.now,
        nextId: () => this.ids.next(),
        rankIn: (identity, room) => this.rankIn(identity, room),
        rankOfUser: (userId, room) => this.rankIn(this.identities.get(userId) ?? { userId, name: userId, role: 'viewer' }, room),
        findMessage: (room, id) => this.rooms.get(room)?.room.findMessage(id),
        publishRoom: (room, event) => this.options.state.pubsub.publish(roomChannel(room), JSON.stringify(event)),
        publishGlobalBan: (userId, reason) => this.options.state.pubsub.publish(GLOBAL_CHANNEL, JSON.stringify({ type: 'globalBan', userId, reason })),
        record: (record) => {
          this.log.info({ room: record.room, action: record.action.kind, actor: record.actor.id }, 'chat moderation');
          const a = record.action;
          this.options.audit?.append({
            type: `chat.${a.kind}`,
            actor: record.actor.id,
            target: 'userId' in a ? a.userId : 'messageId' in a ? a.messageId : record.room,
            data: { room: record.room, action: a, actorRole: record.actor.role, moderationId: record.id, node: record.node },
          });
          this.options.onEvent?.({ type: 'chatModeration', record });
        },
      },
      actor ?? SYSTEM_ACTOR,
      roomId,
      action,
      actor === undefined,
    );
  }

  private async rankIn(identity: ChatIdentity, room: string): Promise<number> {
    const [owner, isRoomModerator] = await Promise.all([this.ownerOf(room), this.store.isRoomModerator(room, identity.userId)]);
    return rankOf({ identity, room, isOwner: owner === identity.userId, isRoomModerator });
  }

  private async ownerOf(room: string): Promise<string | undefined> {
    return this.options.roomOwner === undefined ? undefined : await this.options.roomOwner(room);
  }

  // ---- queries ----

  history(roomId: string): ChatMessage[] {
    return this.rooms.get(roomId)?.room.historyMessages() ?? [];
  }

  presenceOf(roomId: string): { room: string; count: number; users: Array<{ id: string; name: string }> } {
    const users = [...(this.rooms.get(roomId)?.room.users ?? new Map<string, { name: string }>())].map(([id, u]) => ({ id, name: u.name }));
    return { room: roomId, count: this.presence.total(roomId), users };
  }

  roomList(): Array<{ id: string; users: number; localConnections: number }> {
    const totals = this.presence.rooms();
    for (const id of this.rooms.keys()) if (!totals.has(id)) totals.set(id, 0);
    return [...totals].map(([id, users]) => ({ id, users, localConnections: this.rooms.get(id)?.room.clients.size ?? 0 }));
  }

  /** Publishes this node's presence now instead of at the next tick (tests, shutdown). */
  flushPresence(): void {
    this.presence.tick();
  }

  private remember(identity: ChatIdentity): void {
    this.identities.delete(identity.userId);
    this.identities.set(identity.userId, identity);
    if (this.identities.size > MAX_KNOWN_IDENTITIES) {
      const oldest = this.identities.keys().next().value;
      if (oldest !== undefined) this.identities.delete(oldest);
    }
  }

  private indexUser(conn: ClientConnection): void {
    let set = this.byUser.get(conn.identity.userId);
    if (set === undefined) {
      set = new Set();
      this.byUser.set(conn.identity.userId, set);
    }
    set.add(conn);
  }

  private unindexUser(conn: ClientConnection): void {
    const set = this.byUser.get(conn.identity.userId);
    set?.delete(conn);
    if (set?.size === 0) this.byUser.delete(conn.identity.userId);
  }
}

function toMessage(e: Record<string, unknown>): ChatMessage {
  const { v: _v, type: _t, ...rest } = e;
  return rest as unknown as ChatMessage;
}
