import type { FastifyInstance } from 'fastify';
import type { HlsService } from './hls-service.js';

/** `GET /api/v1/streams/:id/renditions`: each HLS rendition with size, codecs and its transcoder's CPU and restarts. */
export function registerHlsApiRoutes(app: FastifyInstance, hls: HlsService): void {
  app.get<{ Params: { id: string } }>('/api/v1/streams/:id/renditions', async (req, reply) => {
    const stream = hls.get(req.params.id);
    if (stream === undefined) {
      return reply.code(404).send({ error: { code: 'STREAM_NOT_FOUND', message: `stream ${req.params.id.slice(0, 64)} has no HLS output`, details: {} } });
    }
    const renditions = stream.status();
    const cpuPercent = renditions.reduce((t, r) => t + (r.transcoder?.cpuPercent ?? 0), 0);
    return { renditions, transcodingCpuPercent: Math.round(cpuPercent * 10) / 10 };
  });
}
