import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documented } from './route-docs.js';

const Healthy = z.object({ status: z.literal('ok') });
const Ready = z.object({ status: z.literal('ready') });
const NotReady = z.object({ status: z.literal('not-ready') });
const tags = ['health'];

/** `/healthz` answers while the process serves; `/readyz` only once every listener is up and not stopping. */
export function registerHealthRoutes(app: FastifyInstance, isReady: () => boolean): void {
  app.get('/healthz', documented({ response: { 200: Healthy }, summary: 'Liveness: the process serves HTTP', tags }, { public: true }), async () => ({ status: 'ok' }));
  app.get('/readyz', documented({ response: { 200: Ready, 503: NotReady }, summary: 'Readiness: every listener is up and the server is not stopping', tags }, { public: true }), async (_req, reply) => {
    if (isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready' });
  });
}
