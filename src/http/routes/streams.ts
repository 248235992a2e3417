import type { FastifyInstance } from 'fastify';
import { describeStream, StreamNotFoundError, type StreamInfo, type StreamRegistry } from '../../hub/index.js';

/** `GET /api/v1/streams` and `GET /api/v1/streams/:id`: live streams with their metadata. */
export function registerStreamRoutes(app: FastifyInstance, registry: StreamRegistry): void {
  app.get('/api/v1/streams', async (): Promise<{ streams: StreamInfo[]; total: number }> => {
    const streams = registry.list().map((s) => describeStream(s));
    return { streams, total: streams.length };
  });

  app.get<{ Params: { id: string } }>('/api/v1/streams/:id', async (req): Promise<StreamInfo> => {
    const stream = registry.get(req.params.id);
    if (stream === undefined) throw new StreamNotFoundError(req.params.id);
    return describeStream(stream);
  });
}
