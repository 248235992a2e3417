import websocket from '@fastify/websocket';
import { Server } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { ExchangeHandler, Logger } from '../base/index.js';
import { ZenLiveError } from '../base/index.js';
import type { StreamRegistry } from '../hub/index.js';
import { errorBody, statusForCode } from './error-status.js';
import { registerApiDocs, type ApiDocsOptions } from './openapi.js';
import { FrontedServer, NodeExchange } from './raw-front/index.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerStreamRoutes } from './routes/streams.js';

/** What the HTTP app needs from the composition root. */
export interface HttpAppOptions {
  logger: Logger;
  registry: StreamRegistry;
  isReady: () => boolean;
  corsOrigins: readonly string[];
  /**
   * Handlers that see requests before the framework (the HLS hot path), parsed by the raw
   * HTTP/1.1 front: each returns true when it took the request.
   */
  fastPaths?: readonly ExchangeHandler[];
  /** Idle keep-alive connections are closed after this long. */
  keepAliveTimeoutMs?: number;
  /** OpenAPI document and Swagger UI at /api/docs, listing every route added after it. */
  apiDocs?: ApiDocsOptions;
}

/**
 * Builds the one Fastify app that serves the API, playback routes and WebSocket upgrades.
 * Areas add their routes to it before it listens.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const fastPaths = options.fastPaths ?? [];
  const takeFast: ExchangeHandler = (exchange) => {
    for (const fast of fastPaths) if (fast(exchange)) return true;
    return false;
  };
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 30_000;
  const app = Fastify({
    serverFactory: (handler) => {
      if (fastPaths.length === 0) {
        const plain = new Server(handler);
        plain.keepAliveTimeout = keepAliveTimeoutMs;
        return plain;
      }
      const server = new FrontedServer(
        (req, res) => {
          if (takeFast(new NodeExchange(req, res))) return;
          handler(req, res);
        },
        { handler: takeFast, keepAliveTimeoutMs, headersTimeoutMs: 20_000, maxHeadBytes: 16 * 1024 },
      );
      server.keepAliveTimeout = keepAliveTimeoutMs;
      return server;
    },
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Long-lived playback responses must not be cut by a request timeout.
    requestTimeout: 0,
    bodyLimit: 1024 * 1024,
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  if (options.apiDocs !== undefined) await registerApiDocs(app, options.apiDocs);

  const allowOrigin = options.corsOrigins.includes('*') ? '*' : undefined;
  app.addHook('onSend', async (req, reply) => {
    const origin = req.headers.origin;
    const allowed = allowOrigin ?? (origin !== undefined && options.corsOrigins.includes(origin) ? origin : undefined);
    if (allowed !== undefined) reply.header('access-control-allow-origin', allowed);
  });

  app.setErrorHandler((err: FastifyError | ZenLiveError, req, reply) => {
    if (err instanceof ZenLiveError) {
      const status = statusForCode(err.code);
      if (status >= 500) req.log.error({ err }, 'request failed');
      return reply.code(status).send(errorBody(err.code, err.message));
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    const code = err.validation !== undefined ? 'VALIDATION_FAILED' : status === 404 ? 'NOT_FOUND' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
    return reply.code(status).send(errorBody(code, status >= 500 ? 'internal server error' : err.message));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`)));

  registerHealthRoutes(app, options.isReady);
  registerStreamRoutes(app, options.registry);
  return app;
}
