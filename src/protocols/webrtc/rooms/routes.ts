import { fileURLToPath } from 'node:url';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { loadStaticAsset } from '../../../base/index.js';
import type { RoomHost } from './room-host.js';

/** The browser client, shipped in the package's `web/` folder. */
export const ROOM_CLIENT_PATH = fileURLToPath(new URL('../../../../web/zenlive-rtc.js', import.meta.url));
/** Where browsers load it from. */
export const ROOM_CLIENT_URL = '/rtc/zenlive-rtc.js';

/** What a room token lets its holder do; the app's backend asks for one per participant. */
export const RoomTokenRequest = z.strictObject({
  /** The participant's id in the app (becomes the token's subject). */
  identity: z.string().min(1).max(128),
  name: z.string().min(1).max(64).optional(),
  publish: z.boolean().default(true),
  subscribe: z.boolean().default(true),
  ttlSeconds: z.number().int().min(60).max(86_400).default(3600),
});
export type RoomTokenRequest = z.infer<typeof RoomTokenRequest>;

/** Who may list every room, read one and mint tokens for one, as the app's auth guard decides. */
export interface RoomRouteGuards {
  list?: preHandlerAsyncHookHandler;
  read?: preHandlerAsyncHookHandler;
  issue?: preHandlerAsyncHookHandler;
  /** Signs a room token; without it the token route is not offered. */
  issueToken?: (roomId: string, request: RoomTokenRequest) => Promise<{ token: string; expiresAt: number }>;
}

/**
 * `GET /api/v1/rooms` (every room with participants, tracks, layers and per-subscription stats),
 * `GET /api/v1/rooms/:id`, and the browser client at `/rtc/zenlive-rtc.js`.
 */
export function registerRoomRoutes(app: FastifyInstance, rooms: RoomHost, guards: RoomRouteGuards = {}): void {
  const client = loadStaticAsset(ROOM_CLIENT_PATH, 'text/javascript; charset=utf-8', 'no-cache');
  app.get(ROOM_CLIENT_URL, async (req, reply) => client.send(req, reply));
  app.get('/api/v1/rooms', { ...(guards.list !== undefined ? { preHandler: guards.list } : {}) }, async () => ({ items: await rooms.list() }));
  app.get<{ Params: { id: string } }>('/api/v1/rooms/:id', { ...(guards.read !== undefined ? { preHandler: guards.read } : {}) }, async (req, reply) => {
    const room = await rooms.snapshot(req.params.id);
    if (room === undefined) return reply.code(404).send({ error: { code: 'ROOM_NOT_FOUND', message: `no room ${req.params.id} has participants`, details: {} } });
    return room;
  });
  const issueToken = guards.issueToken;
  if (issueToken !== undefined) {
    app.post<{ Params: { id: string } }>('/api/v1/rooms/:id/token', { ...(guards.issue !== undefined ? { preHandler: guards.issue } : {}) }, async (req, reply) => {
      if (!ROOM_ID.test(req.params.id)) return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message: 'id: room ids are 1-128 of letters, digits, _ . : -', details: { field: 'id' } } });
      const parsed = RoomTokenRequest.safeParse(req.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue?.path.join('.') || 'body';
        return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message: `${field}: ${issue?.message ?? 'invalid'}`, details: { field } } });
      }
      const issued = await issueToken(req.params.id, parsed.data);
      return { token: issued.token, expiresAt: new Date(issued.expiresAt * 1000).toISOString(), signaling: '/ws/rtc', client: ROOM_CLIENT_URL };
    });
  }
}

const ROOM_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
