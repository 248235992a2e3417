import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z as zod, type z } from 'zod';
import { ZenLiveError, type Logger } from '../base/index.js';
import { ANONYMOUS, authorize, ThrottledError, type AuthService, type Permission, type Principal, type ResourceRef } from '../auth/index.js';
import { errorBody, statusForCode } from './error-status.js';

/** A body, query or params that fails its schema; `details` names the failing field. */
export class RequestValidationError extends ZenLiveError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Parses `value` with a zod schema or throws RequestValidationError naming the first bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.join('.');
  throw new RequestValidationError(`${where}: ${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** The principal the guard attached to a request (anonymous when none). */
export function principalOf(req: FastifyRequest): Principal {
  return principals.get(req) ?? ANONYMOUS;
}

/** Where a guarded route finds the resource it acts on, for owner checks and scoped grants. */
export type ResourceLocator = (req: FastifyRequest) => ResourceRef | undefined;

/** What the guard needs: whether auth is on, and how to turn a bearer token into a principal. */
export interface GuardOptions {
  enabled: boolean;
  auth: Pick<AuthService, 'authenticate'>;
  logger: Logger;
}

/** Stands in for every caller when auth is off: an admin, so every action is allowed. */
const OPEN_PRINCIPAL: Principal = Object.freeze({ kind: 'user', role: 'admin', userId: 'local', username: 'local', grants: [] }) as Principal;

/** Builds `requirePermission(permission, {ownerOf})` preHandlers for one app. */
export interface Guard {
  enabled: boolean;
  requirePermission(permission: Permission, options?: { ownerOf?: ResourceLocator }): preHandlerAsyncHookHandler;
  /** Only checks the bearer token (401 without one); the handler decides the rest. */
  requireUser(): preHandlerAsyncHookHandler;
  /** Reads the bearer token when present; never refuses. */
  identify(req: FastifyRequest): Promise<Principal>;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/**
 * The auth preHandler factory: reads `Authorization: Bearer`, sets the principal on the request,
 * answers 401 without or with invalid credentials and 403 when the principal may not act.
 * With auth disabled every request passes (and one start-up warning says so).
 */
export function createGuard(options: GuardOptions): Guard {
  if (!options.enabled) options.logger.child({ component: 'auth' }).warn('auth is disabled: every API action is allowed to anyone');

  const identify = async (req: FastifyRequest): Promise<Principal> => {
    if (!options.enabled) {
      principals.set(req, OPEN_PRINCIPAL);
      return OPEN_PRINCIPAL;
    }
    const token = bearer(req);
    const principal = token === undefined ? ANONYMOUS : await options.auth.authenticate(token);
    principals.set(req, principal);
    return principal;
  };

  const authenticateOr401 = async (req: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> => {
    try {
      return await identify(req);
    } catch (err) {
      if (err instanceof ZenLiveError && statusForCode(err.code) === 401) {
        await reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send(errorBody(err.code, err.message));
        return undefined;
      }
      throw err;
    }
  };

  return {
    enabled: options.enabled,
    identify,
    requireUser: () => async (req, reply) => {
      const principal = await authenticateOr401(req, reply);
      if (principal !== undefined && principal.kind === 'anonymous') {
        await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('AUTH_REQUIRED', 'sign in first: send Authorization: Bearer <access token>'));
      }
    },
    requirePermission: (permission, { ownerOf } = {}) =>
      async (req, reply) => {
        const principal = await authenticateOr401(req, reply);
        if (principal === undefined) return;
        const decision = authorize(principal, permission, ownerOf?.(req));
        if (decision.allow) return;
        if (decision.status === 401) {
          await reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('AUTH_REQUIRED', decision.reason));
          return;
        }
        await reply.code(403).send(errorBody('AUTH_FORBIDDEN', decision.reason, { permission }));
      },
  };
}

/**
 * The error handler of the auth-aware route scopes: auth codes get their status (429 with
 * Retry-After), validation failures keep their details, everything else as the app does it.
 */
export function installAuthErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((err: FastifyError | ZenLiveError, req, reply) => {
    if (err instanceof ZenLiveError) {
      const status = statusForCode(err.code);
      if (err instanceof ThrottledError) void reply.header('retry-after', String(err.retryAfterSeconds));
      if (status >= 500) req.log.error({ err }, 'request failed');
      const details = err instanceof RequestValidationError ? err.details : {};
      return reply.code(status).send(errorBody(err.code, err.message, details));
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const code = err.validation !== undefined ? 'VALIDATION_FAILED' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
    return reply.code(status).send(errorBody(code, status >= 500 ? 'internal server error' : err.message));
  });
}

/** `?limit=&cursor=` on every list. */
export const PageQuery = zod.object({
  limit: zod.coerce.number().int().min(1).max(200).default(50),
  cursor: zod.string().min(1).max(200).optional(),
});
