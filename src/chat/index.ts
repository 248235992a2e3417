import type { FastifyInstance } from 'fastify';
import type { ChatService } from './chat-service.js';
import { registerChatRestRoutes } from './rest-routes.js';
import { registerChatWebSocket } from './ws-route.js';

export { ChatService, type MessageHook, type ChatStats } from './chat-service.js';
export { createChatApi, type ChatApi } from './chat-api.js';
export { CHAT_DEFAULTS, type ChatServiceOptions } from './options.js';
export type { AuditSink, ChatAuditEntry, ChatAuthenticator, ChatAuthor, ChatEvent, ChatIdentity, ChatMessage, ChatRole, ModerationAction, ModerationRecord, RoomOwnerLookup } from './types.js';
export * from './errors.js';
export { PROTOCOL_VERSION, encodeClientCommand, parseClientFrame, parseServerFrame, type ClientCommand } from './protocol.js';
export { MessageIdGenerator, messageIdTime } from './message-id.js';
export { CloseCode } from './client-connection.js';

/** Adds `/ws/chat` and `/api/v1/chat/...` to an app that already has @fastify/websocket registered. */
export function registerChatRoutes(app: FastifyInstance, service: ChatService): void {
  registerChatWebSocket(app, service);
  registerChatRestRoutes(app, service);
}
