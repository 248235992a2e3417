import type { FastifyInstance } from 'fastify';

/** `/healthz` answers while the process serves; `/readyz` only once every listener is up and not stopping. */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready' });
  });
}
