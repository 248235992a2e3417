import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasGrant, ManagedStreamNotFoundError, type ManagedStream, type PlaybackTokenSigner, type Principal, type StreamCatalog, type StreamKeyStore, type TokenService } from '../../auth/index.js';
import { describeStream, STREAM_ID_PATTERN, StreamNotFoundError, type StreamInfo, type StreamRegistry } from '../../hub/index.js';
import type { AuditSink } from '../../security/index.js';
import { installAuthErrorHandler, PageQuery, parseWith, principalOf, type Guard } from '../guard.js';

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

const CreateStream = z.object({
  id: z.string().regex(STREAM_ID_PATTERN, 'letters, digits and _ . - only, at most 128').optional(),
  title: z.string().min(1).max(200),
  private: z.boolean().default(false),
});
const UpdateStream = z.object({ title: z.string().min(1).max(200).optional(), private: z.boolean().optional() }).strict();
const PlaybackTokenBody = z.object({
  ttlSeconds: z.number().int().min(10).max(7 * 24 * 3600).optional(),
  /** Bind the token to the caller's address, or to the given one. */
  bindIp: z.union([z.boolean(), z.ipv4(), z.ipv6()]).optional(),
});
const PublishTokenBody = z.object({ ttlSeconds: z.number().int().min(10).max(24 * 3600).optional() });
const IdParams = z.object({ id: z.string().min(1).max(128) });
const Action = z.enum(['start', 'stop', 'pause', 'resume']);

/** A managed stream with its live state, as the API shows it. */
export interface ManagedStreamView extends ManagedStream {
  state: string;
  activeKeys: number;
  live: StreamInfo | null;
}

/** Joins a managed stream with the hub's live stream of the same id. */
export function managedStreamView(s: ManagedStream, registry: StreamRegistry, keys: StreamKeyStore): ManagedStreamView {
  const live = registry.get(s.id);
  return { ...s, state: live?.state ?? (s.stopped ? 'STOPPED' : 'IDLE'), activeKeys: keys.activeKeyCount(s.id), live: live !== undefined ? describeStream(live) : null };
}

/** Managed streams a principal may see: public ones, plus private ones they own (all for admins). */
export function visibleTo(p: Principal): (s: ManagedStream) => boolean {
  return (s) => !s.private || p.role === 'admin' || p.role === 'moderator' || s.ownerId === p.userId;
}

/**
 * Stream administration under /api/v1/streams: create (the key is returned once), update, delete,
 * control (start/stop/pause/resume), key rotation and revocation, and playback tokens.
 * `GET /api/v1/streams[/:id]` stay in streams.ts (see `managedStreamView`).
 */
export async function registerStreamAdminRoutes(app: FastifyInstance, o: StreamAdminRoutesOptions): Promise<void> {
  const ownerOf = (req: FastifyRequest) => {
    const id = (req.params as { id?: string }).id;
    const s = id !== undefined ? o.catalog.get(id) : undefined;
    return s === undefined ? (id !== undefined ? { streamId: id } : undefined) : { streamId: s.id, ownerId: s.ownerId };
  };
  const guard = (permission: Parameters<Guard['requirePermission']>[0]) => ({ preHandler: o.guard.requirePermission(permission, { ownerOf }) });

  await app.register(async (scope) => {
    installAuthErrorHandler(scope);

    scope.post('/api/v1/streams', guard('streams:create'), async (req, reply) => {
      const body = parseWith(CreateStream, req.body);
      const p = principalOf(req);
      const stream = o.catalog.create({ ...(body.id !== undefined ? { id: body.id } : {}), title: body.title, private: body.private, ownerId: p.userId ?? 'local' });
      const key = o.keys.issue(stream.id, stream.ownerId);
      o.audit.append({ type: 'stream.created', actor: p.userId, target: stream.id, ip: req.ip, data: { private: stream.private } });
      // The key is shown here and never again: only its hash is kept.
      return reply.code(201).send({ stream: managedStreamView(stream, o.registry, o.keys), streamKey: key.key });
    });

    scope.get('/api/v1/managed-streams', guard('streams:read'), async (req) => {
      const q = parseWith(PageQuery, req.query, 'query');
      const page = o.catalog.list(q.limit, q.cursor, visibleTo(principalOf(req)));
      return { items: page.items.map((s) => managedStreamView(s, o.registry, o.keys)), ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
    });

    scope.get('/api/v1/managed-streams/:id', guard('streams:read'), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const s = o.catalog.require(id);
      // A private stream you may not see answers like one that does not exist.
      if (!visibleTo(principalOf(req))(s)) throw new ManagedStreamNotFoundError(id);
      return managedStreamView(s, o.registry, o.keys);
    });

    scope.patch('/api/v1/streams/:id', guard('streams:update'), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(UpdateStream, req.body);
      o.catalog.require(id);
      const s = o.catalog.update(id, body);
      o.audit.append({ type: 'stream.updated', actor: principalOf(req).userId, target: id, ip: req.ip, data: body });
      return managedStreamView(s, o.registry, o.keys);
    });

    scope.delete('/api/v1/streams/:id', guard('streams:delete'), async (req, reply) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      o.catalog.require(id);
      o.keys.revoke(id);
      o.catalog.delete(id);
      o.registry.get(id)?.end('stopped');
      o.audit.append({ type: 'stream.deleted', actor: principalOf(req).userId, target: id, ip: req.ip });
      return reply.code(204).send();
    });

    scope.post('/api/v1/streams/:id/:action', guard('streams:control'), async (req) => {
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
      return after !== undefined ? managedStreamView(after, o.registry, o.keys) : { id, state: now?.state ?? 'ENDED' };
    });

    scope.post('/api/v1/streams/:id/keys/rotate', guard('streams:keys'), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const s = o.catalog.require(id);
      const key = o.keys.rotate(id, s.ownerId, o.streamKeyGraceSeconds * 1000);
      o.audit.append({ type: 'stream_key.rotated', actor: principalOf(req).userId, target: id, ip: req.ip, data: { grace_seconds: o.streamKeyGraceSeconds } });
      return { streamId: id, streamKey: key.key, previousKeysValidForSeconds: o.streamKeyGraceSeconds };
    });

    scope.post('/api/v1/streams/:id/keys/revoke', guard('streams:keys'), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      o.catalog.require(id);
      const revoked = o.keys.revoke(id);
      o.audit.append({ type: 'stream_key.revoked', actor: principalOf(req).userId, target: id, ip: req.ip, data: { keys: revoked } });
      return { streamId: id, revoked };
    });

    scope.post('/api/v1/streams/:id/publish-token', guard('streams:keys'), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(PublishTokenBody, req.body);
      const s = o.catalog.require(id);
      // A grant for this one stream, whatever the bearer's role: e.g. for a guest's browser encoder.
      const issued = await o.tokens.issue('publish', { sub: s.ownerId, grants: [{ permission: 'streams:publish', streamId: id }] }, body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {});
      o.audit.append({ type: 'stream.publish_token_issued', actor: principalOf(req).userId, target: id, ip: req.ip });
      return { streamId: id, token: issued.token, expiresAt: new Date(issued.exp * 1000).toISOString() };
    });

    scope.post('/api/v1/streams/:id/playback-token', guard('streams:play'), async (req, reply) => {
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
