import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HlsService } from './hls-service.js';

/** `GET /api/v1/streams/:id/renditions`: each HLS rendition with size, codecs and its transcoder's CPU and restarts. */
export function registerHlsApiRoutes(app: FastifyInstance, hls: HlsService, options: { canSee?: (req: FastifyRequest, streamId: string) => Promise<boolean> } = {}): void {
  app.get<{ Params: { id: string } }>('/api/v1/streams/:id/renditions', async (req, reply) => {
    const stream = hls.get(req.params.id);
    // A private stream the caller may not see answers exactly like one that does not exist.
    if (stream === undefined || (options.canSee !== undefined && !(await options.canSee(req, req.params.id)))) {
      return reply.code(404).send({ error: { code: 'STREAM_NOT_FOUND', message: `stream ${req.params.id.slice(0, 64)} has no HLS output`, details: {} } });
    }
    const renditions = stream.status();
    const cpuPercent = renditions.reduce((t, r) => t + (r.transcoder?.cpuPercent ?? 0), 0);
    return { renditions, transcodingCpuPercent: Math.round(cpuPercent * 10) / 10 };
  });
}
