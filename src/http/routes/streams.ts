import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { StreamCatalog, StreamKeyStore } from '../../auth/index.js';
import { StreamNotFoundError, type StreamRegistry } from '../../hub/index.js';
import { installAuthErrorHandler, PageQuery, parseWith, principalOf, RequestValidationError, type Guard } from '../guard.js';
import { documented, ErrorAnswer } from './route-docs.js';
import { streamView, StreamViewSchema, visibleTo, type StreamView } from './stream-view.js';

/** What the streams list needs from the auth area: the catalog, key counts, and who is asking. */
export interface StreamCatalogSource {
  catalog: StreamCatalog;
  keys: StreamKeyStore;
  guard: Guard;
}

// The HTTP app registers the list before the auth services exist (src/http/server.ts); the stream
// administration routes attach the catalog to the same app afterwards, before it listens.
const sources = new WeakMap<FastifyInstance, { source: StreamCatalogSource; canRead: preHandlerAsyncHookHandler }>();

/** Makes `GET /api/v1/streams[/:id]` of `app` include the catalog and hide private streams. */
export function attachStreamCatalog(app: FastifyInstance, source: StreamCatalogSource): void {
  sources.set(app, { source, canRead: source.guard.requirePermission('streams:read') });
}

/** The answer of `GET /api/v1/streams`. */
export interface StreamList {
  streams: StreamView[];
  /** Streams visible to the caller, on every page. */
  total: number;
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

const IdParams = z.object({ id: z.string().min(1).max(256) });
const StreamListSchema = z.object({ streams: z.array(StreamViewSchema), total: z.number().int(), nextCursor: z.string().nullable() });
const tags = ['streams'];

/**
 * `GET /api/v1/streams` and `GET /api/v1/streams/:id`: one list of every stream the caller may see,
 * catalog streams (created through the API, live or not) first in creation order, then live
 * streams outside the catalog. Private streams are shown only to their owner, admins and moderators.
 */
export function registerStreamRoutes(app: FastifyInstance, registry: StreamRegistry): void {
  const canRead = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    await sources.get(app)?.canRead.call(this, req, reply);
  };

  const visible = (req: FastifyRequest): StreamView[] => {
    const attached = sources.get(app)?.source;
    const views: StreamView[] = [];
    const seen = new Set<string>();
    if (attached !== undefined) {
      const mayView = visibleTo(principalOf(req));
      const all = attached.catalog.list(Number.MAX_SAFE_INTEGER, undefined, () => true).items;
      for (const s of all) {
        // Hidden or not, a private stream's live entry must not show up below as an unmanaged one.
        seen.add(s.id);
        if (mayView(s)) views.push(streamView(s.id, s, registry.get(s.id), attached.keys));
      }
    }
    for (const s of registry.list()) if (!seen.has(s.id)) views.push(streamView(s.id, undefined, s, undefined));
    return views;
  };

  void app.register(async (scope) => {
    installAuthErrorHandler(scope);

    scope.get(
      '/api/v1/streams',
      {
        ...documented({ querystring: PageQuery, response: { 200: StreamListSchema, 400: ErrorAnswer, 401: ErrorAnswer }, summary: 'List streams: catalog and live, private ones only to those who may see them', tags }),
        preHandler: canRead,
      },
      async (req): Promise<StreamList> => {
        const q = parseWith(PageQuery, req.query, 'query');
        const all = visible(req);
        const start = q.cursor === undefined ? 0 : all.findIndex((s) => s.id === q.cursor) + 1;
        if (start === 0 && q.cursor !== undefined) throw new RequestValidationError(`query: cursor: no stream ${q.cursor}`, { field: 'cursor', issues: [{ path: 'cursor', message: 'unknown cursor' }] });
        const streams = all.slice(start, start + q.limit);
        const last = streams[streams.length - 1];
        return { streams, total: all.length, nextCursor: start + q.limit < all.length && last !== undefined ? last.id : null };
      },
    );

    scope.get(
      '/api/v1/streams/:id',
      { ...documented({ params: IdParams, response: { 200: StreamViewSchema, 401: ErrorAnswer, 404: ErrorAnswer }, summary: 'Get one stream; a private stream you may not see is a 404', tags }), preHandler: canRead },
      async (req): Promise<StreamView> => {
        const { id } = parseWith(IdParams, req.params, 'params');
        const attached = sources.get(app)?.source;
        const managed = attached?.catalog.get(id);
        // A private stream you may not see answers like one that does not exist.
        if (managed !== undefined && !visibleTo(principalOf(req))(managed)) throw new StreamNotFoundError(id);
        const live = registry.get(id);
        if (managed === undefined && live === undefined) throw new StreamNotFoundError(id);
        return streamView(id, managed, live, attached?.keys);
      },
    );
  });
}
