import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ChatService } from './chat-service.js';
import { ChatAuthRequiredError, ChatBadCommandError, ChatError, ChatRoomError } from './errors.js';
import { isRoomId } from './protocol.js';
import type { ChatIdentity, ModerationAction } from './types.js';

const user = z.string().min(1).max(128);
const ModerationBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ban'), userId: user, global: z.boolean().optional(), durationSeconds: z.number().int().positive().optional(), reason: z.string().max(500).optional() }),
  z.object({ kind: z.literal('unban'), userId: user, global: z.boolean().optional() }),
  z.object({ kind: z.literal('timeout'), userId: user, durationSeconds: z.number().int().positive(), reason: z.string().max(500).optional() }),
  z.object({ kind: z.literal('untimeout'), userId: user }),
  z.object({ kind: z.literal('mute'), userId: user, reason: z.string().max(500).optional() }),
  z.object({ kind: z.literal('unmute'), userId: user }),
  z.object({ kind: z.literal('delete'), messageId: z.string().min(1).max(128) }),
  z.object({ kind: z.literal('purge'), userId: user }),
  z.object({ kind: z.literal('clear') }),
  z.object({ kind: z.literal('slow'), seconds: z.number().int().min(0).max(86_400) }),
  z.object({ kind: z.literal('emoteOnly'), enabled: z.boolean() }),
  z.object({ kind: z.literal('uniqueOnly'), enabled: z.boolean() }),
  z.object({ kind: z.literal('blockTerm'), term: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('unblockTerm'), term: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('mod'), userId: user }),
  z.object({ kind: z.literal('unmod'), userId: user }),
]);

interface RoomParams {
  room: string;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h !== undefined && /^Bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

/**
 * REST for moderation and history under /api/v1/chat. Callers authenticate with
 * `Authorization: Bearer TOKEN` through the same authenticator as the WebSocket.
 */
export function registerChatRestRoutes(app: FastifyInstance, service: ChatService): void {
  const send = (reply: FastifyReply, err: unknown): FastifyReply => {
    // Our codes carry their own status, so the answer does not depend on the app's error table.
    if (err instanceof ChatError) return reply.code(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    throw err;
  };
  const identityOf = async (req: FastifyRequest, needed: 'read' | 'write'): Promise<ChatIdentity> => {
    const identity = await service.authenticate(bearer(req), req.raw);
    if (identity.role === 'anonymous' && (needed === 'write' || !service.options.allowAnonymousRead)) throw new ChatAuthRequiredError('send Authorization: Bearer TOKEN');
    return identity;
  };
  const room = (req: FastifyRequest<{ Params: RoomParams }>): string => {
    if (!isRoomId(req.params.room)) throw new ChatRoomError('invalid room id');
    return req.params.room;
  };

  app.get('/api/v1/chat/rooms', async (req, reply) => {
    try {
      await identityOf(req, 'read');
      return { rooms: service.roomList() };
    } catch (err) {
      return send(reply, err);
    }
  });

  app.get<{ Params: RoomParams }>('/api/v1/chat/rooms/:room/history', async (req, reply) => {
    try {
      await identityOf(req, 'read');
      return { room: room(req), messages: service.history(room(req)) };
    } catch (err) {
      return send(reply, err);
    }
  });

  app.get<{ Params: RoomParams }>('/api/v1/chat/rooms/:room/presence', async (req, reply) => {
    try {
      await identityOf(req, 'read');
      return service.presenceOf(room(req));
    } catch (err) {
      return send(reply, err);
    }
  });

  app.post<{ Params: RoomParams }>('/api/v1/chat/rooms/:room/moderation', async (req, reply) => {
    try {
      const actor = await identityOf(req, 'write');
      const parsed = ModerationBody.safeParse(req.body);
      if (!parsed.success) throw new ChatBadCommandError(`invalid moderation action: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const record = await service.moderate(room(req), parsed.data as ModerationAction, actor);
      return reply.code(201).send(record);
    } catch (err) {
      return send(reply, err);
    }
  });

  app.delete<{ Params: RoomParams & { id: string } }>('/api/v1/chat/rooms/:room/messages/:id', async (req, reply) => {
    try {
      const actor = await identityOf(req, 'write');
      return await service.moderate(room(req), { kind: 'delete', messageId: req.params.id }, actor);
    } catch (err) {
      return send(reply, err);
    }
  });
}
