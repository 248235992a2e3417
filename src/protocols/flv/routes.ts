import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Logger } from '../../base/index.js';
import { StreamNotFoundError, type AuthorizePlay, type ByteSink, type Stream, type StreamRegistry, type SubscriberEndReason } from '../../hub/index.js';
import { buildFlvFileHeader } from '../../media/index.js';
import { flvFrameFormat } from './flv-format.js';

/** What the HTTP-FLV and WS-FLV routes need. */
export interface FlvRoutesOptions {
  registry: StreamRegistry;
  logger: Logger;
  /** Value of Access-Control-Allow-Origin for browser players such as flv.js / mpegts.js. */
  corsOrigin: string;
  /** Who may watch; everyone when omitted. Refusals are 401/403 JSON before any media. */
  authorizePlay?: AuthorizePlay;
}

interface FlvParams {
  file: string;
}

const PLAYABLE: ReadonlySet<string> = new Set(['LIVE', 'STARTING', 'PAUSED']);

function liveStream(registry: StreamRegistry, file: string): Stream {
  const id = file.slice(0, -'.flv'.length);
  const stream = registry.get(id);
  if (stream === undefined || !PLAYABLE.has(stream.state)) throw new StreamNotFoundError(id);
  return stream;
}

function fileHeaderFor(stream: Stream): Buffer {
  // Before the sequence headers arrive we cannot know the tracks: announce both, as players expect.
  const known = stream.video !== undefined || stream.audio !== undefined;
  return buildFlvFileHeader({ audio: !known || stream.audio !== undefined, video: !known || stream.video !== undefined });
}

/** The playback token from `?token=` or `Authorization: Bearer`. */
function playbackToken(req: FastifyRequest): string | undefined {
  const q = (req.query as Record<string, unknown> | undefined)?.['token'];
  if (typeof q === 'string') return q;
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Adds `GET /live/ID.flv`: an endless FLV body over HTTP, or over a WebSocket when the request upgrades. */
export function registerFlvRoutes(app: FastifyInstance, options: FlvRoutesOptions): void {
  const log = options.logger.child({ component: 'flv' });
  let nextId = 1;

  const checkStream = async (req: FastifyRequest<{ Params: FlvParams }>, reply: FastifyReply): Promise<void> => {
    if (!req.params.file.endsWith('.flv')) {
      await reply.callNotFound();
      return;
    }
    if (options.authorizePlay !== undefined) {
      const streamId = req.params.file.slice(0, -'.flv'.length);
      const decision = options.authorizePlay({ streamId, protocol: req.ws ? 'ws-flv' : 'flv', remoteAddress: req.ip, token: playbackToken(req) });
      if (!decision.allow) {
        const code = decision.status === 401 ? 'PLAYBACK_UNAUTHORIZED' : decision.status === 403 ? 'PLAYBACK_FORBIDDEN' : 'STREAM_NOT_FOUND';
        await reply.code(decision.status).header('access-control-allow-origin', options.corsOrigin).send({ error: { code, message: decision.reason, details: { stream_id: streamId } } });
        return;
      }
    }
    liveStream(options.registry, req.params.file);
  };

  const httpFlv = (req: FastifyRequest<{ Params: FlvParams }>, reply: FastifyReply): void => {
    const stream = liveStream(options.registry, req.params.file);
    reply.hijack();
    const socket = req.raw.socket;
    socket.setNoDelay(true);
    // Written by hand so the body is raw FLV bytes, not chunked: each frame is one write of shared bytes.
    socket.write(
      'HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nCache-Control: no-cache, no-store\r\nConnection: close\r\n' +
        `Access-Control-Allow-Origin: ${options.corsOrigin}\r\nDate: ${new Date().toUTCString()}\r\n\r\n`,
    );
    const sink: ByteSink = {
      write: (bytes) => void socket.write(bytes),
      get bufferedBytes() {
        return socket.writableLength;
      },
      close: (reason: SubscriberEndReason) => (reason === 'too-slow' ? socket.destroy() : socket.end()),
    };
    const id = `flv-${nextId++}`;
    const sub = stream.subscribe({ id, protocol: 'flv', format: flvFrameFormat, sink, preamble: fileHeaderFor(stream), remoteAddress: req.ip });
    socket.once('close', () => sub.unsubscribe());
    log.info({ stream_id: stream.id, viewer: id }, 'http-flv viewer joined');
  };

  const wsFlv = (ws: WebSocket, req: FastifyRequest<{ Params: FlvParams }>): void => {
    let stream: Stream;
    try {
      stream = liveStream(options.registry, req.params.file);
    } catch {
      ws.close(4404, 'stream not found');
      return;
    }
    const sink: ByteSink = {
      write: (bytes) => ws.send(bytes, { binary: true }),
      get bufferedBytes() {
        return ws.bufferedAmount;
      },
      close: (reason: SubscriberEndReason) => (reason === 'too-slow' ? ws.terminate() : ws.close(1000, reason)),
    };
    const id = `ws-flv-${nextId++}`;
    const sub = stream.subscribe({ id, protocol: 'ws-flv', format: flvFrameFormat, sink, preamble: fileHeaderFor(stream), remoteAddress: req.ip });
    ws.once('close', () => sub.unsubscribe());
    // Players have nothing to say on this socket; anything they send is ignored.
    ws.on('message', () => undefined);
    log.info({ stream_id: stream.id, viewer: id }, 'ws-flv viewer joined');
  };

  app.route<{ Params: FlvParams }>({ method: 'GET', url: '/live/:file', preValidation: checkStream, handler: httpFlv, wsHandler: wsFlv });
}
