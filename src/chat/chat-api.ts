import type { ChatService, MessageHook } from './chat-service.js';
import type { ChatAuthor, ChatIdentity, ChatMessage, ModerationAction, ModerationRecord } from './types.js';

/** What an app gets as `live.chat`. */
export interface ChatApi {
  /** Runs on every user message before broadcast: return false/null to veto, a message to transform it. Returns the unregister function. */
  onMessage(hook: MessageHook): () => void;
  /** Posts into one room as the app (or as `user`); skips limits and filters. */
  send(room: string, message: string | { content: string; user?: Partial<ChatAuthor>; replyTo?: string }): Promise<ChatMessage>;
  /** Posts the same announcement into several rooms, by default every room with users on any node; resolves to the messages sent. */
  broadcast(content: string, rooms?: readonly string[]): Promise<ChatMessage[]>;
  /** Moderates as the app (outranks everyone) or as `actor`, with the same checks users meet. */
  moderate(room: string, action: ModerationAction, actor?: ChatIdentity): Promise<ModerationRecord>;
  rooms(): Array<{ id: string; users: number; localConnections: number }>;
  presence(room: string): { room: string; count: number; users: Array<{ id: string; name: string }> };
  /** The room's kept messages on this node (empty when persistence is off). */
  history(room: string): ChatMessage[];
}

/** The SDK-facing object over a ChatService. */
export function createChatApi(service: ChatService): ChatApi {
  return {
    onMessage: (hook) => service.onMessage(hook),
    send: (room, message) => (typeof message === 'string' ? service.postAsApp(room, message) : service.postAsApp(room, message.content, message.user, message.replyTo)),
    broadcast: async (content, rooms) => {
      const targets = rooms ?? service.roomList().map((r) => r.id);
      const out: ChatMessage[] = [];
      for (const r of targets) out.push(await service.postAsApp(r, content));
      return out;
    },
    moderate: (room, action, actor) => service.moderate(room, action, actor),
    rooms: () => service.roomList(),
    presence: (room) => service.presenceOf(room),
    history: (room) => service.history(room),
  };
}
