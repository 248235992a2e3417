import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES, USERNAME_PATTERN, type AuthService, type UserDirectory } from '../../auth/index.js';
import type { AuditSink } from '../../security/index.js';
import type { ZodRouteSchemas } from '../openapi.js';
import { installAuthErrorHandler, PageQuery, parseWith, principalOf, type Guard } from '../guard.js';
import { documented, ErrorAnswer, GUARDED_ERRORS, NoContent } from './route-docs.js';

export interface UserRoutesOptions {
  users: UserDirectory;
  auth: AuthService;
  audit: AuditSink;
  guard: Guard;
}

export const CreateUser = z.object({
  username: z.string().regex(USERNAME_PATTERN, 'letters, digits and _ . @ - only, at most 64'),
  password: z.string().min(12, 'at least 12 characters').max(1024),
  role: z.enum(ROLES),
});
export const UpdateUser = z.object({ role: z.enum(ROLES).optional(), password: z.string().min(12, 'at least 12 characters').max(1024).optional() }).refine((b) => b.role !== undefined || b.password !== undefined, 'give role or password');
const IdParams = z.object({ id: z.string().min(1).max(100) });
const UserSchema = z.object({ id: z.string(), username: z.string(), role: z.enum(ROLES), createdAt: z.string() });
const UserPage = z.object({ items: z.array(UserSchema), nextCursor: z.string().optional().describe('absent on the last page') });
const errors = { 400: ErrorAnswer, ...GUARDED_ERRORS, 404: ErrorAnswer };
const tags = ['users'];

/** The built-in user directory under /api/v1/users (admins only). */
export async function registerUserRoutes(app: FastifyInstance, o: UserRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    installAuthErrorHandler(scope);
    const preHandler = o.guard.requirePermission('users:manage');
    const admin = (schemas: ZodRouteSchemas) => ({ ...documented({ tags, ...schemas }), preHandler });

    scope.post('/api/v1/users', admin({ body: CreateUser, response: { 201: UserSchema, ...errors, 409: ErrorAnswer }, summary: 'Create a user (admin)' }), async (req, reply) => {
      const body = parseWith(CreateUser, req.body);
      const user = await o.users.create(body);
      o.audit.append({ type: 'user.created', actor: principalOf(req).userId, target: user.id, ip: req.ip, data: { username: user.username, role: user.role } });
      return reply.code(201).send(user);
    });

    scope.get('/api/v1/users', admin({ querystring: PageQuery, response: { 200: UserPage, ...errors }, summary: 'List users (admin)' }), async (req) => {
      const q = parseWith(PageQuery, req.query, 'query');
      return o.users.list(q.limit, q.cursor);
    });

    scope.get('/api/v1/users/:id', admin({ params: IdParams, response: { 200: UserSchema, ...errors }, summary: 'Get a user (admin)' }), async (req, reply) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const user = o.users.get(id);
      return user ?? reply.code(404).send({ error: { code: 'USER_NOT_FOUND', message: `no user ${id}`, details: {} } });
    });

    scope.patch('/api/v1/users/:id', admin({ params: IdParams, body: UpdateUser, response: { 200: UserSchema, ...errors }, summary: 'Change role or password (admin); ends the user\'s sessions' }), async (req) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      const body = parseWith(UpdateUser, req.body);
      const actor = principalOf(req).userId;
      let user = o.users.get(id);
      if (body.password !== undefined) {
        await o.users.setPassword(id, body.password);
        o.audit.append({ type: 'user.password_changed', actor, target: id, ip: req.ip });
      }
      if (body.role !== undefined) {
        const before = user?.role;
        user = await o.users.setRole(id, body.role);
        o.audit.append({ type: 'user.role_changed', actor, target: id, ip: req.ip, data: { from: before, to: body.role } });
      }
      // Sessions carry the role they signed in with: end them so the change applies now.
      await o.auth.logoutAll(id, actor, req.ip);
      return user ?? o.users.get(id);
    });

    scope.delete('/api/v1/users/:id', admin({ params: IdParams, response: { 204: NoContent, ...errors }, summary: 'Delete a user (admin); ends their sessions' }), async (req, reply) => {
      const { id } = parseWith(IdParams, req.params, 'params');
      await o.users.delete(id);
      await o.auth.logoutAll(id, principalOf(req).userId, req.ip);
      o.audit.append({ type: 'user.deleted', actor: principalOf(req).userId, target: id, ip: req.ip });
      return reply.code(204).send();
    });
  });
}
