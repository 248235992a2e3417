import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { WebRtcRequestError, WhepCounterOfferError } from './errors.js';
import { parseIceFragment } from './ice-fragment.js';
import type { WebRtcCaller, WebRtcService } from './webrtc-service.js';

const SDP = 'application/sdp';
const SDP_FRAG = 'application/trickle-ice-sdpfrag';
const EXPOSED = 'Location, Link, ETag, Accept-Patch, Accept-Post';

interface KeyParams {
  key: string;
}
interface ResourceParams {
  resource: string;
}

/** Options of the WHIP/WHEP routes. */
export interface WebRtcRoutesOptions {
  /** Value of Access-Control-Allow-Origin on preflight answers. */
  corsOrigin?: string;
  /** Who may read `/api/v1/webrtc/sessions` (the app's auth guard). */
  sessionsGuard?: preHandlerAsyncHookHandler;
}

/**
 * Adds WHIP (`POST /whip/KEY`) and WHEP (`POST|HEAD /whep/ID`) with their resources at
 * `/whip/resource/ID` and `/whep/resource/ID` (PATCH for trickle ICE, ICE restart and, for a WHEP
 * counter-offer, the player's answer; DELETE to end). Errors answer with the API's JSON error shape.
 */
export function registerWebRtcRoutes(app: FastifyInstance, service: WebRtcService, options: WebRtcRoutesOptions = {}): void {
  const corsOrigin = options.corsOrigin ?? '*';
  void app.register(async (scope) => {
    scope.addContentTypeParser([SDP, SDP_FRAG], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof WhepCounterOfferError) {
        return reply
          .code(406)
          .header('content-type', SDP)
          .header('location', `/whep/resource/${err.resourceId}`)
          .header('accept-patch', SDP)
          .header('access-control-expose-headers', EXPOSED)
          .send(err.counterOffer);
      }
      if (err instanceof WebRtcRequestError) {
        if (err.status >= 500) req.log.error({ err }, 'webrtc request failed');
        return reply.code(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
      }
      const status = err.statusCode ?? 500;
      if (status >= 500) req.log.error({ err }, 'webrtc request failed');
      const code = status === 415 ? 'WEBRTC_UNSUPPORTED_MEDIA_TYPE' : status >= 500 ? 'INTERNAL' : 'WEBRTC_BAD_REQUEST';
      return reply.code(status).send({ error: { code, message: status >= 500 ? 'internal server error' : err.message, details: {} } });
    });

    const preflight = (methods: string) => async (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(204)
        .header('access-control-allow-origin', corsOrigin)
        .header('access-control-allow-methods', methods)
        .header('access-control-allow-headers', 'Authorization, Content-Type, If-Match')
        .header('access-control-expose-headers', EXPOSED)
        .header('accept-post', SDP)
        .send();
    scope.options('/whip/:key', preflight('POST, OPTIONS'));
    scope.options('/whip', preflight('POST, OPTIONS'));
    scope.options('/whep/:key', preflight('POST, HEAD, OPTIONS'));
    scope.options('/whip/resource/:resource', preflight('PATCH, DELETE, OPTIONS'));
    scope.options('/whep/resource/:resource', preflight('PATCH, DELETE, OPTIONS'));

    // every WHIP publisher and WHEP viewer with what it sent or received, loss, jitter and RTT
    scope.get('/api/v1/webrtc/sessions', { ...(options.sessionsGuard !== undefined ? { preHandler: options.sessionsGuard } : {}) }, async () => ({ items: service.sessions(), delivery: service.delivery() }));

    scope.post<{ Params: KeyParams; Body: string }>('/whip/:key', async (req, reply) => {
      const offer = sdpBody(req);
      const result = await service.publish(req.params.key, offer, caller(req));
      return created(reply, 'whip', result.resource.id, result.resource.etag, result.links, result.sdp);
    });

    // OBS and other WHIP encoders are often set up with one server URL and the stream key as the
    // Bearer token: the token is then the key
    scope.post<{ Body: string }>('/whip', async (req, reply) => {
      const offer = sdpBody(req);
      const who = caller(req);
      if (who.token === undefined || who.token === '') throw new WebRtcRequestError('WEBRTC_UNAUTHORIZED', 'POST /whip needs the stream key as a Bearer token (or POST /whip/KEY)');
      const result = await service.publish(who.token, offer, who);
      return created(reply, 'whip', result.resource.id, result.resource.etag, result.links, result.sdp);
    });

    scope.post<{ Params: KeyParams; Body: string }>('/whep/:key', async (req, reply) => {
      const offer = sdpBody(req);
      const result = await service.play(req.params.key, offer, caller(req));
      return created(reply, 'whep', result.resource.id, result.resource.etag, result.links, result.sdp);
    });

    // WHEP discovery: whether the stream can be played, and the ICE servers to use
    scope.head<{ Params: KeyParams }>('/whep/:key', async (req, reply) => {
      service.checkPlayable(req.params.key, caller(req));
      const links = service.iceLinks(`whep-${req.params.key}`);
      // fastify replaces a header set twice: several Link values go as one array
      if (links.length > 0) void reply.header('link', links);
      return reply.code(200).header('accept-post', SDP).header('access-control-expose-headers', EXPOSED).send();
    });

    for (const kind of ['whip', 'whep'] as const) {
      scope.patch<{ Params: ResourceParams; Body: string }>(`/${kind}/resource/:resource`, async (req, reply) => {
        const resource = service.get(req.params.resource);
        if (resource === undefined) throw new WebRtcRequestError('WEBRTC_SESSION_NOT_FOUND', `no ${kind.toUpperCase()} resource ${req.params.resource}`);
        const type = contentType(req);
        if (type === SDP && kind === 'whep') {
          // the player's answer to our 406 counter-offer
          await resource.acceptAnswer(String(req.body));
          return reply.code(204).send();
        }
        if (type !== SDP_FRAG) throw new WebRtcRequestError('WEBRTC_UNSUPPORTED_MEDIA_TYPE', `PATCH takes ${SDP_FRAG}`);
        const ifMatch = req.headers['if-match'];
        const restartFragment = await resource.patch(parseIceFragment(String(req.body)), typeof ifMatch === 'string' ? ifMatch : undefined);
        if (restartFragment === undefined) return reply.code(204).send();
        return reply.code(200).header('content-type', SDP_FRAG).header('etag', resource.etag).header('access-control-expose-headers', EXPOSED).send(restartFragment);
      });

      scope.delete<{ Params: ResourceParams }>(`/${kind}/resource/:resource`, async (req, reply) => {
        if (!service.delete(req.params.resource)) throw new WebRtcRequestError('WEBRTC_SESSION_NOT_FOUND', `no ${kind.toUpperCase()} resource ${req.params.resource}`);
        return reply.code(200).send();
      });
    }
  });
}

function created(reply: FastifyReply, kind: 'whip' | 'whep', id: string, etag: string, links: readonly string[], sdp: string): FastifyReply {
  if (links.length > 0) void reply.header('link', [...links]);
  return reply
    .code(201)
    .header('content-type', SDP)
    .header('location', `/${kind}/resource/${id}`)
    .header('etag', etag)
    .header('accept-patch', SDP_FRAG)
    .header('access-control-expose-headers', EXPOSED)
    .send(sdp);
}

function contentType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function sdpBody(req: FastifyRequest): string {
  if (contentType(req) !== SDP) throw new WebRtcRequestError('WEBRTC_UNSUPPORTED_MEDIA_TYPE', `the offer must be sent as ${SDP}`);
  const body = typeof req.body === 'string' ? req.body : '';
  if (body.trim() === '') throw new WebRtcRequestError('WEBRTC_BAD_SDP', 'the request has no SDP offer');
  return body;
}

function caller(req: FastifyRequest): WebRtcCaller {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
  const query = Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const ua = req.headers['user-agent'];
  return { remoteAddress: req.ip, token: bearer ?? query['token'], query, ...(typeof ua === 'string' ? { userAgent: ua } : {}) };
}
