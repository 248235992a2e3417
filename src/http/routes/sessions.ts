import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorize, SessionNotFoundError, type Session, type SessionStore } from '../../auth/index.js';
import type { AuditSink } from '../../security/index.js';
import { installAuthErrorHandler, parseWith, principalOf, type Guard } from '../guard.js';
import { documented, ErrorAnswer, GUARDED_ERRORS, NoContent } from './route-docs.js';

export interface SessionRoutesOptions {
  sessions: SessionStore;
  audit: AuditSink;
  guard: Guard;
}

const ListQuery = z.object({ userId: z.string().min(1).max(100).optional() });
const IdParams = z.object({ id: z.string().min(1).max(100) });
const SessionSchema = z.object({
  id: z.string(),
  userId: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean().describe('the session of the token making this request'),
});
const SessionList = z.object({ items: z.array(SessionSchema) });
const tags = ['sessions'];

function view(s: Session, currentId: string | undefined) {
  return {
    id: s.id,
    userId: s.userId,
    createdAt: new Date(s.createdAt).toISOString(),
    lastUsedAt: new Date(s.lastUsedAt).toISOString(),
    expiresAt: new Date(s.expiresAt).toISOString(),
    ip: s.ip ?? null,
    userAgent: s.userAgent ?? null,
    current: s.id === currentId,
  };
}

/** `GET /api/v1/sessions` (own, or any user's with sessions:manage) and `DELETE /api/v1/sessions/:id`. */
export async function registerSessionRoutes(app: FastifyInstance, o: SessionRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    installAuthErrorHandler(scope);

    scope.get('/api/v1/sessions', { ...documented({ querystring: ListQuery, response: { 200: SessionList, 400: ErrorAnswer, ...GUARDED_ERRORS }, summary: 'Your sessions, or any user\'s with sessions:manage', tags }), preHandler: o.guard.requirePermission('sessions:read') }, async (req, reply) => {
      const p = principalOf(req);
      const q = parseWith(ListQuery, req.query, 'query');
      const userId = q.userId ?? p.userId;
      if (userId !== p.userId && !authorize(p, 'sessions:manage').allow) {
        return reply.code(403).send({ error: { code: 'AUTH_FORBIDDEN', message: 'only your own sessions', details: { permission: 'sessions:manage' } } });
      }
      const sessions = userId === undefined ? [] : await o.sessions.listForUser(userId);
      return { items: sessions.map((s) => view(s, p.sessionId)) };
    });

    scope.delete('/api/v1/sessions/:id', { ...documented({ params: IdParams, response: { 204: NoContent, ...GUARDED_ERRORS, 404: ErrorAnswer }, summary: 'Revoke a session (sign it out)', tags }), preHandler: o.guard.requirePermission('sessions:read') }, async (req, reply) => {
      const p = principalOf(req);
      const { id } = parseWith(IdParams, req.params, 'params');
      const session = await o.sessions.get(id);
      // Someone else's session looks like no session, unless you may manage them all.
      if (session === undefined || session.revoked || (session.userId !== p.userId && !authorize(p, 'sessions:manage').allow)) throw new SessionNotFoundError(id);
      await o.sessions.revoke(id);
      o.audit.append({ type: 'session.revoked', actor: p.userId, target: session.userId, ip: req.ip, data: { session_id: id } });
      return reply.code(204).send();
    });
  });
}
