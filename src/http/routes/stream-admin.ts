import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasGrant, type ManagedStream, type PlaybackTokenSigner, type StreamCatalog, type StreamKeyStore, type TokenService } from '../../auth/index.js';
import { STREAM_ID_PATTERN, StreamNotFoundError, type StreamRegistry } from '../../hub/index.js';
import type { AuditSink } from '../../security/index.js';
import { installAuthErrorHandler, parseWith, principalOf, type Guard } from '../guard.js';
import type { ZodRouteSchemas } from '../openapi.js';
import { documented, ErrorAnswer, GUARDED_ERRORS, NoContent } from './route-docs.js';
import { attachStreamCatalog } from './streams.js';
import { streamView, StreamViewSchema, visibleTo, type StreamView } from './stream-view.js';

export interface StreamAdminRoutesOptions {
  registry: StreamRegistry;
  /** Signs publish tokens (`rtmp://host/live/ID?token=...`), an alternative to stream keys. */
  tokens: TokenService;
  catalog: StreamCatalog;
  keys: StreamKeyStore;
  playbackTokens: PlaybackTokenSigner;
  audit: AuditSink;
  guard: Guard;
  streamKeyGraceSeconds: number;
  playbackTtlSeconds: number;
}

export const CreateStream = z.object({
  id: z.string().regex(STREAM_ID_PATTERN, 'letters, digits and _ . - only, at most 128').optional(),
  title: z.string().min(1).max(200),
  private: z.boolean().default(false),
});
export const UpdateStream = z.object({ title: z.string().min(1).max(200).optional(), private: z.boolean().optional() }).strict();
export const PlaybackTokenBody = z.object({
  ttlSeconds: z.number().int().min(10).max(7 * 24 * 3600).optional(),
  /** Bind the token to the caller's address, or to the given one. */
  bindIp: z.union([z.boolean(), z.ipv4(), z.ipv6()]).optional(),
});
export const PublishTokenBody = z.object({ ttlSeconds: z.number().int().min(10).max(24 * 3600).optional() });
const IdParams = z.object({ id: z.string().min(1).max(128) });
const Action = z.enum(['start', 'stop', 'pause', 'resume']);

/** A managed stream as the admin routes answer it: the same view as the streams list. */
export type ManagedStreamView = StreamView;

/** Joins a managed stream with the hub's live stream of the same id. */
export function managedStreamView(s: ManagedStream, registry: StreamRegistry, keys: StreamKeyStore): ManagedStreamView {
  return streamView(s.id, s, registry.get(s.id), keys);
}

export { visibleTo };

const ControlParams = IdParams.extend({ action: Action });
const CreatedStream = z.object({ stream: StreamViewSchema, streamKey: z.string().describe('the RTMP stream key: shown here once, only its hash is kept') });
const RotatedKey = z.object({ streamId: z.string(), streamKey: z.string().describe('the new key, shown once'), previousKeysValidForSeconds: z.number().int() });
const RevokedKeys = z.object({ streamId: z.string(), revoked: z.number().int() });
const PublishToken = z.object({ streamId: z.string(), token: z.string().describe('rtmp://host/live/ID?token=TOKEN'), expiresAt: z.string() });
const PlaybackToken = z.object({ streamId: z.string(), token: z.string().describe('?token=TOKEN on HLS, FLV, RTMP play and WHEP'), expiresAt: z.string(), boundIp: z.string().nullable() });
const errors = { 400: ErrorAnswer, ...GUARDED_ERRORS, 404: ErrorAnswer };
const tags = ['streams'];

/**
 * Stream administration under /api/v1/streams: create (the key is returned once), update, delete,
 * control (start/stop/pause/resume), key rotation and revocation, and playback tokens.
 * `GET /api/v1/streams[/:id]` live in streams.ts; this attaches the catalog to them.
 */
export async function registerStreamAdminRoutes(app: FastifyInstance, o: StreamAdminRoutesOptions): Promise<void> {
  const ownerOf = (req: FastifyRequest) => {
    const id = (req.params as { id?: string }).id;
    const s = id !== undefined ? o.catalog.get(id) : undefined;
    return s === undefined ? (id !== undefined ? { streamId: id } : undefined) : { streamId: s.id, ownerId: s.ownerId };
  };
  const guard = (permission: Parameters<Guard['requirePermission']>[0], schemas: ZodRouteSchemas) => ({ ...documented({ tags, ...schemas }), preHandler: o.guard.requirePermission(permission, { ownerOf }) });
  attachStreamCatalog(app, { catalog: o.catalog, keys: o.keys, guard: o.guard });

  await app.register(async (scope) => {
    installAuthErrorHandler(scope);

    scope.post('/api/v1/streams', guard('streams:create', { body: CreateStream, response: { 201: CreatedStream, ...errors, 409: ErrorAnswer }, summary: 'Create a stream; its key is returned once' }), async (req, reply) => {
      const body = parseWith(CreateStream, req.body);
      const p = principalOf(req);
      const stream = o.catalog.create({ ...(body.id !== undefined ? { id: body.id } : {}), title: body.title, private: body.private, ownerId: p.userId ?? 'local' });
      const key = o.keys.issue(stream.id, stream.ownerId);
      o.audit.append({ type: 'stream.created', actor: p.userId, target: stream.id, ip: req.ip, data: { private: stream.private } });
      // The key is shown here and never again: only its hash is kept.
      return reply.code(201).send({ stream: managedStreamView(stream, o.registry, o.keys), streamKey: key.key });
    });

    scope.patch('/api/v1/streams/:id', guard('streams:update', { params: IdParams, body: UpdateStream, response: { 200: StreamViewSchema, ...errors }, summary: 'Change title or privacy' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(UpdateStream, req.body);
      o.catalog.require(id);
      const s = o.catalog.update(id, body);
      o.audit.append({ type: 'stream.updated', actor: principalOf(req).userId, target: id, ip: req.ip, data: body });
      return managedStreamView(s, o.registry, o.keys);
    });

    scope.delete('/api/v1/streams/:id', guard('streams:delete', { params: IdParams, response: { 204: NoContent, ...errors }, summary: 'Delete a stream: keys revoked, a live publisher disconnected' }), async (req, reply) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      o.catalog.require(id);
      o.keys.revoke(id);
      o.catalog.delete(id);
      o.registry.get(id)?.end('stopped');
      o.audit.append({ type: 'stream.deleted', actor: principalOf(req).userId, target: id, ip: req.ip });
      return reply.code(204).send();
    });

    scope.post('/api/v1/streams/:id/:action', guard('streams:control', { params: ControlParams, response: { 200: StreamViewSchema, ...errors, 409: ErrorAnswer }, summary: 'start, stop, pause or resume', description: 'pause stops delivery to viewers and keeps ingest; stop ends the stream, disconnects the publisher and refuses publishing until start' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const action = parseWith(Action, (req.params as { action?: string }).action, 'params');
      const managed = o.catalog.get(id);
      const live = o.registry.get(id);
      const actor = principalOf(req).userId;
      switch (action) {
        case 'pause':
          if (live === undefined) throw new StreamNotFoundError(id);
          live.pause();
          break;
        case 'resume':
          if (live === undefined) throw new StreamNotFoundError(id);
          live.resume();
          break;
        case 'stop':
          // Publishing is refused until `start`, or the encoder would simply reconnect.
          if (managed !== undefined) o.catalog.update(id, { stopped: true });
          else if (live === undefined) throw new StreamNotFoundError(id);
          live?.end('stopped');
          break;
        case 'start':
          if (managed === undefined) throw new StreamNotFoundError(id);
          o.catalog.update(id, { stopped: false });
          break;
      }
      o.audit.append({ type: `stream.${action}`, actor, target: id, ip: req.ip });
      const after = o.catalog.get(id);
      const now = o.registry.get(id);
      return streamView(id, after, now, o.keys);
    });

    scope.post('/api/v1/streams/:id/keys/rotate', guard('streams:keys', { params: IdParams, response: { 200: RotatedKey, ...errors }, summary: 'Issue a new stream key; older keys stay valid for the grace period' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const s = o.catalog.require(id);
      const key = o.keys.rotate(id, s.ownerId, o.streamKeyGraceSeconds * 1000);
      o.audit.append({ type: 'stream_key.rotated', actor: principalOf(req).userId, target: id, ip: req.ip, data: { grace_seconds: o.streamKeyGraceSeconds } });
      return { streamId: id, streamKey: key.key, previousKeysValidForSeconds: o.streamKeyGraceSeconds };
    });

    scope.post('/api/v1/streams/:id/keys/revoke', guard('streams:keys', { params: IdParams, response: { 200: RevokedKeys, ...errors }, summary: 'Revoke every key of the stream at once' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      o.catalog.require(id);
      const revoked = o.keys.revoke(id);
      o.audit.append({ type: 'stream_key.revoked', actor: principalOf(req).userId, target: id, ip: req.ip, data: { keys: revoked } });
      return { streamId: id, revoked };
    });

    scope.post('/api/v1/streams/:id/publish-token', guard('streams:keys', { params: IdParams, body: PublishTokenBody, response: { 200: PublishToken, ...errors }, summary: 'A publish token scoped to this stream, an alternative to its key' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(PublishTokenBody, req.body);
      const s = o.catalog.require(id);
      // A grant for this one stream, whatever the bearer's role: e.g. for a guest's browser encoder.
      const issued = await o.tokens.issue('publish', { sub: s.ownerId, grants: [{ permission: 'streams:publish', streamId: id }] }, body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {});
      o.audit.append({ type: 'stream.publish_token_issued', actor: principalOf(req).userId, target: id, ip: req.ip });
      return { streamId: id, token: issued.token, expiresAt: new Date(issued.exp * 1000).toISOString() };
    });

    scope.post('/api/v1/streams/:id/playback-token', guard('streams:play', { params: IdParams, body: PlaybackTokenBody, response: { 200: PlaybackToken, ...errors }, summary: 'A signed playback token for a private stream' }), async (req, reply) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(PlaybackTokenBody, req.body);
      const s = o.catalog.require(id);
      const p = principalOf(req);
      // Tokens are what anonymous viewers lack (private streams, or allow_anonymous_viewers off): sign in first.
      if (p.kind === 'anonymous') return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'AUTH_REQUIRED', message: 'sign in to get a playback token', details: {} } });
      // Private streams: their owner, admins, moderators, or a token granting play on this stream.
      if (s.private && !visibleTo(p)(s) && !hasGrant(p, 'streams:play', { streamId: id })) {
        return reply.code(403).send({ error: { code: 'AUTH_FORBIDDEN', message: 'this stream is private', details: { permission: 'streams:play' } } });
      }
      const ttl = body.ttlSeconds ?? o.playbackTtlSeconds;
      const exp = Math.floor(Date.now() / 1000) + ttl;
      const ip = body.bindIp === true ? req.ip : typeof body.bindIp === 'string' ? body.bindIp : undefined;
      const token = o.playbackTokens.sign({ streamId: id, exp, ...(ip !== undefined ? { ip } : {}) });
      return { streamId: id, token, expiresAt: new Date(exp * 1000).toISOString(), boundIp: ip ?? null };
    });
  });
}
