import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify';
import { ZenLiveError } from '../base/index.js';
import type { RecordingCatalog } from './recording-catalog.js';
import type { Recorder } from './recorder.js';
import { isRecordingId } from './recording-metadata.js';
import { parseRangeHeader } from './range-header.js';
import type { ThumbnailService } from './thumbnail-service.js';

/** What the recording routes serve from. */
export interface RecordingRoutesOptions {
  /** Stored recordings; the `/api/v1/recordings` routes are registered only with it (storage configured). */
  catalog?: RecordingCatalog;
  /** Start/stop per stream; the routes answer 404 without it. */
  recorder?: Recorder;
  /** Latest thumbnail per live stream; `/live/:id/thumbnail.jpg` answers 404 without it. */
  thumbnails?: ThumbnailService;
  corsOrigin?: string;
  /** Access checks the app supplies (the auth guard): reading recordings, deleting them, starting/stopping one. */
  guards?: { read?: preHandlerAsyncHookHandler; delete?: preHandlerAsyncHookHandler; control?: preHandlerAsyncHookHandler };
}

type Guarded = { preHandler?: preHandlerAsyncHookHandler };
const guarded = (handler: preHandlerAsyncHookHandler | undefined): Guarded => (handler !== undefined ? { preHandler: handler } : {});

// the HTTP status of this area's error codes (the app's error handler knows only the shared ones)
const STATUS: Readonly<Record<string, number>> = {
  RECORDING_NOT_FOUND: 404,
  STORAGE_NOT_FOUND: 404,
  STREAM_NOT_FOUND: 404,
  STORAGE_INVALID_PATH: 400,
  STORAGE_RANGE_NOT_SATISFIABLE: 416,
  BAD_REQUEST: 400,
};

function sendError(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(STATUS[code] ?? 500).send({ error: { code, message, details: {} } });
}

/** Runs a handler, answering this area's typed errors with their own status. */
async function answer<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ZenLiveError && STATUS[err.code] !== undefined) return sendError(reply, err.code, err.message);
    throw err;
  }
}

/**
 * Registers the recording API under `/api/v1/recordings` (list, get, download with Range, delete),
 * start/stop per stream under `/api/v1/streams/:id/recording`, and `/live/:id/thumbnail.jpg|webp`.
 */
export function registerRecordingRoutes(app: FastifyInstance, options: RecordingRoutesOptions): void {
  const { catalog, recorder, thumbnails } = options;
  const read = guarded(options.guards?.read);
  const control = guarded(options.guards?.control);
  if (catalog !== undefined) registerCatalogRoutes(app, catalog, read, guarded(options.guards?.delete));

  app.post<{ Params: { id: string } }>('/api/v1/streams/:id/recording', control, async (req, reply) =>
    answer(reply, async () => {
      if (recorder === undefined) return sendError(reply, 'RECORDING_NOT_FOUND', 'recording is not enabled');
      recorder.startRecording(req.params.id);
      return reply.code(202).send({ stream_id: req.params.id, recording: true });
    }),
  );

  app.delete<{ Params: { id: string } }>('/api/v1/streams/:id/recording', control, async (req, reply) =>
    answer(reply, async () => {
      if (recorder === undefined || !recorder.stopRecording(req.params.id)) return sendError(reply, 'RECORDING_NOT_FOUND', `stream ${req.params.id.slice(0, 64)} is not being recorded`);
      return reply.code(202).send({ stream_id: req.params.id, recording: false });
    }),
  );

  for (const format of ['jpg', 'webp'] as const) {
    app.get<{ Params: { id: string } }>(`/live/:id/thumbnail.${format}`, async (req, reply) => {
      const thumb = thumbnails?.latest(req.params.id, format);
      if (thumb === undefined) return sendError(reply, 'STREAM_NOT_FOUND', `no thumbnail for ${req.params.id.slice(0, 64)} yet`);
      return reply
        .header('content-type', format === 'jpg' ? 'image/jpeg' : 'image/webp')
        .header('cache-control', 'no-cache')
        .header('access-control-allow-origin', options.corsOrigin ?? '*')
        .send(thumb.data);
    });
  }
}

/** `/api/v1/recordings`: list, get, download (Range), delete. */
function registerCatalogRoutes(app: FastifyInstance, catalog: RecordingCatalog, read: Guarded, remove: Guarded): void {
  app.get<{ Querystring: { stream_id?: string; cursor?: string; limit?: string } }>('/api/v1/recordings', read, async (req, reply) =>
    answer(reply, async () => {
      const limit = req.query.limit !== undefined ? Number(req.query.limit) : 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return sendError(reply, 'BAD_REQUEST', 'limit must be an integer from 1 to 1000');
      const streamId = req.query.stream_id;
      if (streamId !== undefined && !isRecordingId(streamId)) return sendError(reply, 'BAD_REQUEST', 'bad stream_id');
      const page = await catalog.list({ limit, ...(streamId !== undefined ? { streamId } : {}), ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}) });
      return { recordings: page.recordings, next_cursor: page.nextCursor ?? null };
    }),
  );

  app.get<{ Params: { id: string } }>('/api/v1/recordings/:id', read, async (req, reply) => answer(reply, () => catalog.get(req.params.id)));

  app.delete<{ Params: { id: string } }>('/api/v1/recordings/:id', remove, async (req, reply) =>
    answer(reply, async () => {
      await catalog.delete(req.params.id);
      return reply.code(204).send();
    }),
  );

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>('/api/v1/recordings/:id/download', read, async (req, reply) =>
    answer(reply, async () => {
      const meta = await catalog.get(req.params.id);
      const wanted = req.query.format;
      const file = wanted === undefined ? meta.files[0] : meta.files.find((f) => f.format === wanted);
      if (file === undefined) return sendError(reply, 'RECORDING_NOT_FOUND', `recording ${meta.id} has no ${wanted ?? ''} file`);
      const info = await catalog.storage.stat(file.key);
      if (info === undefined) return sendError(reply, 'STORAGE_NOT_FOUND', `file of recording ${meta.id} is missing`);
      const range = parseRangeHeader(req.headers.range, info.size);
      if (range === 'unsatisfiable') {
        return reply.code(416).header('content-range', `bytes */${info.size}`).send({ error: { code: 'STORAGE_RANGE_NOT_SATISFIABLE', message: 'range not satisfiable', details: {} } });
      }
      const download = await catalog.storage.get(file.key, range);
      reply
        .header('accept-ranges', 'bytes')
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${meta.id}.${file.format}"`)
        .header('content-length', String(download.end - download.start + 1));
      if (range !== undefined) reply.code(206).header('content-range', `bytes ${download.start}-${download.end}/${download.size}`);
      return reply.send(download.body);
    }),
  );
}
