import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthService, TokenService } from '../../auth/index.js';
import { installAuthErrorHandler, parseWith, principalOf, type Guard } from '../guard.js';
import { documented, ErrorAnswer, NoContent } from './route-docs.js';

export interface AuthRoutesOptions {
  auth: AuthService;
  tokens: TokenService;
  guard: Guard;
}

export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(8192) });
const TokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string().describe('single use: every refresh returns a new one; presenting a used one revokes the whole family'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('seconds until the access token expires'),
  sessionId: z.string(),
});
const SignedIn = TokenPair.extend({ user: z.object({ id: z.string(), username: z.string(), role: z.string() }) });
const Me = z.object({ id: z.string().optional(), username: z.string().optional(), role: z.string(), sessionId: z.string().nullable(), grants: z.array(z.object({ permission: z.string(), streamId: z.string().optional(), roomId: z.string().optional() })) });
const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
const tags = ['auth'];
const unauthorized = { 401: ErrorAnswer };

/** Sign-in, token refresh, sign-out and `me` under /api/v1/auth, and the JWKS document. */
export async function registerAuthRoutes(app: FastifyInstance, o: AuthRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    installAuthErrorHandler(scope);
    const client = (ip: string, ua: string | undefined) => ({ ip, ...(ua !== undefined ? { userAgent: ua } : {}) });

    scope.get('/.well-known/jwks.json', documented({ response: { 200: Jwks }, summary: 'Public keys that verify access tokens (none with HS256)', tags }, { public: true }), async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(o.tokens.jwks()));

    scope.post('/api/v1/auth/login', documented({ body: LoginBody, response: { 200: SignedIn, 400: ErrorAnswer, ...unauthorized, 429: ErrorAnswer }, summary: 'Sign in: an access and a refresh token', tags }, { public: true }), async (req) => {
      const body = parseWith(LoginBody, req.body);
      const { account, ...pair } = await o.auth.login(body.username, body.password, client(req.ip, req.headers['user-agent']));
      return { ...pair, user: { id: account.userId, username: account.username, role: account.role } };
    });

    scope.post('/api/v1/auth/refresh', documented({ body: RefreshBody, response: { 200: TokenPair, 400: ErrorAnswer, ...unauthorized }, summary: 'Trade a refresh token for a new pair', tags }, { public: true }), async (req) => {
      const body = parseWith(RefreshBody, req.body);
      return o.auth.refresh(body.refreshToken, client(req.ip, req.headers['user-agent']));
    });

    scope.post('/api/v1/auth/logout', { ...documented({ response: { 204: NoContent, ...unauthorized }, summary: 'End this session', tags }), preHandler: o.guard.requireUser() }, async (req, reply) => {
      await o.auth.logout(principalOf(req), req.ip);
      return reply.code(204).send();
    });

    scope.post('/api/v1/auth/logout-all', { ...documented({ response: { 200: z.object({ revoked: z.number().int() }), ...unauthorized }, summary: 'End every session of the signed-in user', tags }), preHandler: o.guard.requireUser() }, async (req) => {
      const p = principalOf(req);
      const revoked = p.userId !== undefined ? await o.auth.logoutAll(p.userId, p.userId, req.ip) : 0;
      return { revoked };
    });

    scope.get('/api/v1/auth/me', { ...documented({ response: { 200: Me, ...unauthorized }, summary: 'The signed-in user', tags }), preHandler: o.guard.requireUser() }, async (req) => {
      const p = principalOf(req);
      return { id: p.userId, username: p.username, role: p.role, sessionId: p.sessionId ?? null, grants: p.grants };
    });
  });
}
