import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { RawData, WebSocket } from 'ws';
import type { ChatService } from './chat-service.js';
import { CloseCode, type ClientConnection } from './client-connection.js';
import { isCommand, parseCommand } from './commands.js';
import { ChatError, ChatFrameTooLargeError, ChatProtocolError, ChatRoomError } from './errors.js';
import { parseClientFrame, PROTOCOL_VERSION, type ClientCommand } from './protocol.js';

// Frames of one connection waiting to be handled: past this we stop reading its socket (TCP then
// slows the sender down) instead of queueing more; reading resumes once half are done.
const MAX_QUEUED_FRAMES = 64;

function errorFrame(err: ChatError, ref: string | undefined): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, type: 'error', code: err.code, message: err.message, ...err.details, ...(ref !== undefined ? { ref } : {}) });
}

function requireJoined(conn: ClientConnection, room: string): void {
  if (!conn.rooms.has(room)) throw new ChatRoomError(`join ${room} first`);
}

async function handle(service: ChatService, conn: ClientConnection, cmd: ClientCommand, req: FastifyRequest): Promise<void> {
  const ack = (extra: Record<string, unknown> = {}): void => conn.sendText(JSON.stringify({ v: PROTOCOL_VERSION, type: 'ack', ...(cmd.ref !== undefined ? { ref: cmd.ref } : {}), ...extra }));
  switch (cmd.type) {
    case 'auth': {
      const identity = await service.authenticate(cmd.token, req.raw);
      await service.reauthenticate(conn, identity);
      ack({ user: { id: identity.userId, name: identity.name, role: identity.role } });
      return;
    }
    case 'join':
      return service.join(conn, cmd.room, cmd.ref);
    case 'leave':
      service.leave(conn, cmd.room);
      return ack();
    case 'history':
      requireJoined(conn, cmd.room);
      conn.sendText(JSON.stringify({ v: PROTOCOL_VERSION, type: 'history', room: cmd.room, ...(cmd.ref !== undefined ? { ref: cmd.ref } : {}), messages: service.history(cmd.room) }));
      return;
    case 'delete':
      requireJoined(conn, cmd.room);
      await service.moderate(cmd.room, { kind: 'delete', messageId: cmd.id }, conn.identity);
      return ack();
    case 'clear':
      requireJoined(conn, cmd.room);
      await service.moderate(cmd.room, { kind: 'clear' }, conn.identity);
      return ack();
    case 'message':
    case 'reply': {
      requireJoined(conn, cmd.room);
      if (isCommand(cmd.content)) {
        const record = await service.moderate(cmd.room, parseCommand(cmd.content), conn.identity);
        return ack({ moderationId: record.id });
      }
      const message = await service.post(conn.identity, cmd.room, cmd.content, cmd.type === 'reply' ? cmd.replyTo : undefined);
      return ack({ id: message.id });
    }
  }
}

/**
 * `GET /ws/chat[?token=...&room=...]`: one WebSocket per viewer, any number of rooms on it.
 * Frames from one connection are handled one after another, so a user's messages keep their order.
 */
export function registerChatWebSocket(app: FastifyInstance, service: ChatService): void {
  if (!app.hasDecorator('websocketServer')) throw new Error('register @fastify/websocket on the app before the chat routes');
  const log = service.options.logger.child({ component: 'chat-ws' });
  const limit = service.options.maxFrameBytes;

  app.get<{ Querystring: { token?: string; room?: string } }>('/ws/chat', { websocket: true }, (ws: WebSocket, req) => {
    let conn: ClientConnection | undefined;
    let chain: Promise<void> = Promise.resolve();
    let queued = 0;
    let readPaused = false;
    let badFrames = 0;

    const bad = (err: ChatError): void => {
      service.countBadFrame();
      badFrames++;
      if (conn === undefined) return;
      conn.sendText(errorFrame(err, undefined));
      if (badFrames >= service.options.maxBadFrames) conn.close(err instanceof ChatFrameTooLargeError ? CloseCode.tooBig : CloseCode.policy, `${err.code}: too many bad frames`);
    };

    // Frames that arrive while the token is being checked wait on the same chain.
    chain = (async () => {
      try {
        const identity = await service.authenticate(typeof req.query.token === 'string' ? req.query.token : undefined, req.raw);
        conn = service.openConnection(ws, identity);
        ws.once('close', () => conn !== undefined && service.closeConnection(conn));
        conn.sendText(JSON.stringify({ v: PROTOCOL_VERSION, type: 'welcome', node: service.options.nodeId, user: { id: identity.userId, name: identity.name, role: identity.role }, limits: { maxMessageLength: service.options.maxMessageLength, rateLimitPerSecond: service.options.rateLimitPerSecond, maxFrameBytes: limit } }));
        if (typeof req.query.room === 'string') await service.join(conn, req.query.room);
      } catch (err) {
        if (err instanceof ChatError && conn === undefined) {
          ws.close(CloseCode.authFailed, err.code);
          return;
        }
        if (err instanceof ChatError && conn !== undefined) conn.sendText(errorFrame(err, undefined));
        else throw err;
      }
    })().catch((err: unknown) => {
      log.error({ err }, 'chat connection setup failed');
      ws.terminate();
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
      let cmd: ClientCommand;
      try {
        if (bytes > limit) throw new ChatFrameTooLargeError(bytes, limit);
        if (isBinary) throw new ChatProtocolError('frames must be text');
        cmd = parseClientFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
      } catch (err) {
        chain = chain.then(() => bad(err instanceof ChatError ? err : new ChatProtocolError('unreadable frame')));
        return;
      }
      const socket = (ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
      if (++queued >= MAX_QUEUED_FRAMES && socket !== undefined && !readPaused) {
        readPaused = true;
        socket.pause();
      }
      chain = chain
        .then(async () => {
          if (conn === undefined || conn.isClosed) return;
          try {
            await handle(service, conn, cmd, req);
          } catch (err) {
            if (!(err instanceof ChatError)) throw err;
            conn.sendText(errorFrame(err, cmd.ref));
          }
        })
        .catch((err: unknown) => {
          log.error({ err, type: cmd.type }, 'chat frame failed');
          conn?.sendText(JSON.stringify({ v: PROTOCOL_VERSION, type: 'error', code: 'CHAT_INTERNAL', message: 'internal error', ...(cmd.ref !== undefined ? { ref: cmd.ref } : {}) }));
        })
        .finally(() => {
          queued--;
          if (readPaused && queued <= MAX_QUEUED_FRAMES / 2) {
            readPaused = false;
            socket?.resume();
          }
        });
    });
  });
}
