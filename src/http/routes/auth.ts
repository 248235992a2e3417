import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthService, TokenService } from '../../auth/index.js';
import { installAuthErrorHandler, parseWith, principalOf, type Guard } from '../guard.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  tokens: TokenService;
  guard: Guard;
}

const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const RefreshBody = z.object({ refreshToken: z.string().min(1).max(8192) });

/** Sign-in, token refresh, sign-out and `me` under /api/v1/auth, and the JWKS document. */
export async function registerAuthRoutes(app: FastifyInstance, o: AuthRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    installAuthErrorHandler(scope);
    const client = (ip: string, ua: string | undefined) => ({ ip, ...(ua !== undefined ? { userAgent: ua } : {}) });

    scope.get('/.well-known/jwks.json', async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(o.tokens.jwks()));

    scope.post('/api/v1/auth/login', async (req) => {
      const body = parseWith(LoginBody, req.body);
      const { account, ...pair } = await o.auth.login(body.username, body.password, client(req.ip, req.headers['user-agent']));
      return { ...pair, user: { id: account.userId, username: account.username, role: account.role } };
    });

    scope.post('/api/v1/auth/refresh', async (req) => {
      const body = parseWith(RefreshBody, req.body);
      return o.auth.refresh(body.refreshToken, client(req.ip, req.headers['user-agent']));
    });

    scope.post('/api/v1/auth/logout', { preHandler: o.guard.requireUser() }, async (req, reply) => {
      await o.auth.logout(principalOf(req), req.ip);
      return reply.code(204).send();
    });

    scope.post('/api/v1/auth/logout-all', { preHandler: o.guard.requireUser() }, async (req) => {
      const p = principalOf(req);
      const revoked = p.userId !== undefined ? await o.auth.logoutAll(p.userId, p.userId, req.ip) : 0;
      return { revoked };
    });

    scope.get('/api/v1/auth/me', { preHandler: o.guard.requireUser() }, async (req) => {
      const p = principalOf(req);
      return { id: p.userId, username: p.username, role: p.role, sessionId: p.sessionId ?? null, grants: p.grants };
    });
  });
}
