import { fileURLToPath } from 'node:url';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { loadStaticAsset } from '../../../base/index.js';
import type { RoomService } from './room-service.js';

/** The browser client, shipped in the package's `web/` folder. */
export const ROOM_CLIENT_PATH = fileURLToPath(new URL('../../../../web/zenlive-rtc.js', import.meta.url));
/** Where browsers load it from. */
export const ROOM_CLIENT_URL = '/rtc/zenlive-rtc.js';

/** Who may list every room and who may read one, as the app's auth guard decides. */
export interface RoomRouteGuards {
  list?: preHandlerAsyncHookHandler;
  read?: preHandlerAsyncHookHandler;
}

/**
 * `GET /api/v1/rooms` (every room with participants, tracks, layers and per-subscription stats),
 * `GET /api/v1/rooms/:id`, and the browser client at `/rtc/zenlive-rtc.js`.
 */
export function registerRoomRoutes(app: FastifyInstance, rooms: RoomService, guards: RoomRouteGuards = {}): void {
  const client = loadStaticAsset(ROOM_CLIENT_PATH, 'text/javascript; charset=utf-8', 'no-cache');
  app.get(ROOM_CLIENT_URL, async (req, reply) => client.send(req, reply));
  app.get('/api/v1/rooms', { ...(guards.list !== undefined ? { preHandler: guards.list } : {}) }, async () => ({ items: rooms.list() }));
  app.get<{ Params: { id: string } }>('/api/v1/rooms/:id', { ...(guards.read !== undefined ? { preHandler: guards.read } : {}) }, async (req, reply) => {
    const room = rooms.snapshot(req.params.id);
    if (room === undefined) return reply.code(404).send({ error: { code: 'ROOM_NOT_FOUND', message: `no room ${req.params.id} has participants`, details: {} } });
    return room;
  });
}
