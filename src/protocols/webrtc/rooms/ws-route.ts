import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/websocket';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../../../base/index.js';
import { RoomError } from './errors.js';
import type { RoomIdentity } from './participant.js';
import { encodeRtcServerFrame, parseRtcClientFrame, type RtcClientFrame } from './protocol.js';
import type { ConnectionState, RoomHost } from './room-host.js';

/** Largest signaling frame: an SDP offer with three simulcast layers is a few KB. */
const MAX_FRAME_BYTES = 128 * 1024;
/** Bad frames tolerated on one connection before it is closed. */
const MAX_BAD_FRAMES = 5;
// WebSocket close codes in the private range: 4401 like HTTP 401
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_POLICY = 1008;

export interface RoomRouteOptions {
  logger: Logger;
  /** Checks a token; null means it is not valid (the socket is closed), no token is anonymous. */
  authenticate(token: string): Promise<RoomIdentity | null>;
}

/**
 * `GET /ws/rtc[?token=...]`: the signaling socket of one call participant. Frames of one
 * connection are handled in order; closing the socket leaves the room.
 */
export function registerRoomSignaling(app: FastifyInstance, service: RoomHost, options: RoomRouteOptions): void {
  if (!app.hasDecorator('websocketServer')) throw new Error('register @fastify/websocket on the app before the room signaling route');
  const log = options.logger.child({ component: 'rooms-ws' });
  let nextConnection = 1;

  app.get<{ Querystring: { token?: string } }>('/ws/rtc', { websocket: true }, (ws: WebSocket, req) => {
    const send = (text: string): void => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    };
    const state: ConnectionState = { connectionId: nextConnection++, identity: undefined, send, participant: undefined };
    let badFrames = 0;
    let closed = false;
    const token = typeof req.query.token === 'string' && req.query.token !== '' ? req.query.token : undefined;

    let chain: Promise<void> = (async () => {
      if (token === undefined) return;
      const identity = await options.authenticate(token);
      if (identity === null) {
        send(encodeRtcServerFrame({ type: 'error', code: 'ROOM_UNAUTHORIZED', message: 'token not accepted' }));
        ws.close(CLOSE_UNAUTHORIZED, 'ROOM_UNAUTHORIZED');
        closed = true;
        return;
      }
      state.identity = identity;
    })().catch((err: unknown) => {
      log.error({ err }, 'room signaling authentication failed');
      ws.terminate();
      closed = true;
    });

    ws.on('close', () => {
      closed = true;
      chain = chain.then(() => service.disconnected(state));
    });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      let frame: RtcClientFrame;
      try {
        const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
        if (bytes.length > MAX_FRAME_BYTES) throw new RoomError('ROOM_BAD_FRAME', `frame of ${bytes.length} bytes is larger than ${MAX_FRAME_BYTES}`);
        if (isBinary) throw new RoomError('ROOM_BAD_FRAME', 'frames must be text');
        frame = parseRtcClientFrame(bytes.toString('utf8'));
      } catch (err) {
        const e = err instanceof RoomError ? err : new RoomError('ROOM_BAD_FRAME', 'unreadable frame');
        send(encodeRtcServerFrame({ type: 'error', code: e.code, message: e.message, ...(e.ref !== undefined ? { ref: e.ref } : {}) }));
        if (++badFrames >= MAX_BAD_FRAMES) ws.close(CLOSE_POLICY, 'ROOM_BAD_FRAME: too many bad frames');
        return;
      }
      chain = chain.then(async () => {
        if (closed) return;
        try {
          await service.handle(state, frame);
        } catch (err) {
          if (err instanceof RoomError) {
            send(encodeRtcServerFrame({ type: 'error', code: err.code, message: err.message, ...(frame.ref !== undefined ? { ref: frame.ref } : {}) }));
            return;
          }
          log.error({ err, type: frame.type }, 'room signaling frame failed');
          send(encodeRtcServerFrame({ type: 'error', code: 'ROOM_INTERNAL', message: 'internal error', ...(frame.ref !== undefined ? { ref: frame.ref } : {}) }));
        }
      });
    });
  });
}
