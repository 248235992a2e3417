import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { silentLogger } from '../../base/index.js';
import { createMemoryState, type SharedState } from '../../state/index.js';
import { ChatService } from '../chat-service.js';
import { createChatApi, type ChatApi } from '../chat-api.js';
import { registerChatRoutes } from '../index.js';
import type { ChatServiceOptions } from '../options.js';
import type { AuditSink, ChatAuditEntry, ChatEvent } from '../types.js';
import { fixedTokenAuthenticator } from './fixed-token-authenticator.js';

/** A chat node on a free port of 127.0.0.1 with its recorded events and audit entries; `close()` it. */
export interface ChatNode {
  app: FastifyInstance;
  service: ChatService;
  api: ChatApi;
  wsUrl: string;
  httpUrl: string;
  events: ChatEvent[];
  audit: ChatAuditEntry[];
  close(): Promise<void>;
}

/**
 * Starts Fastify with @fastify/websocket (as the app's HTTP layer does) and a ChatService whose
 * `stream1` room belongs to user `owner`. A given `state` is shared and left open on close.
 */
export async function startChatNode(options: Partial<ChatServiceOptions> = {}): Promise<ChatNode> {
  const ownState = options.state === undefined;
  const state: SharedState = options.state ?? createMemoryState();
  const events: ChatEvent[] = [];
  const audit: ChatAuditEntry[] = [];
  const sink: AuditSink = { append: (e) => audit.push(e) };
  const app = Fastify();
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const service = new ChatService({
    nodeId: 'n1',
    authenticate: fixedTokenAuthenticator(),
    roomOwner: (room) => (room === 'stream1' ? 'owner' : undefined),
    audit: sink,
    onEvent: (e) => events.push(e),
    logger: silentLogger(),
    ...options,
    state,
  });
  await service.start();
  registerChatRoutes(app, service);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    app,
    service,
    api: createChatApi(service),
    wsUrl: `ws://127.0.0.1:${port}/ws/chat`,
    httpUrl: `http://127.0.0.1:${port}`,
    events,
    audit,
    close: async () => {
      await service.close();
      await app.close();
      if (ownState) await state.close();
    },
  };
}
